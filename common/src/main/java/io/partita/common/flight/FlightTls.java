package io.partita.common.flight;

import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.NettyServerBuilder;
import io.partita.common.tls.Tls;
import io.partita.common.tls.TlsConfig;
import java.net.URI;
import java.util.function.Consumer;
import org.apache.arrow.flight.FlightClient;
import org.apache.arrow.flight.FlightGrpcUtils;
import org.apache.arrow.flight.FlightProducer;
import org.apache.arrow.flight.FlightServer;
import org.apache.arrow.flight.Location;
import org.apache.arrow.memory.BufferAllocator;

/**
 * Every Flight server and client of Partita is made here, in clear text or with the process's {@link Tls}.
 *
 * <p>Servers listen at a {@code grpc+tcp} location and get TLS through Flight's {@code grpc.builderConsumer} hint, which
 * hands over gRPC's {@link NettyServerBuilder}: it is given the process's Netty context, whose key manager reloads
 * ({@link Tls}), where Flight's own {@code useTls(cert, key)} would read the files once. Clients of a
 * {@code grpc+tls://} location are built on a gRPC channel with the process's client context (the server verified
 * against the CA, the process's certificate offered for mutual TLS).
 */
public final class FlightTls {
    private static final int MAX_INBOUND = Integer.MAX_VALUE;

    private FlightTls() {}

    /** A server builder on {@code host:port} (0: any free port), with TLS when it is on. */
    public static FlightServer.Builder server(BufferAllocator allocator, String host, int port, FlightProducer producer, Tls tls) {
        FlightServer.Builder b = FlightServer.builder(allocator, Location.forGrpcInsecure(host, port), producer);
        if (tls.enabled()) {
            Consumer<NettyServerBuilder> secure = netty -> netty.sslContext(tls.grpcServerContext());
            b.transportHint("grpc.builderConsumer", secure);
        }
        return b;
    }

    /** The location clients are told: {@code grpc+tls://host:port} with TLS on, {@code grpc+tcp://host:port} without. */
    public static String uri(String host, int port, Tls tls) {
        return tls.config().flightUri(host, port);
    }

    /**
     * A client of {@code uri}; a {@code grpc+tls} one verifies the server with {@code tls}.
     *
     * @throws IllegalArgumentException when {@code uri} asks for TLS and this process has none configured
     */
    public static FlightClient client(BufferAllocator allocator, String uri, Tls tls) {
        if (!TlsConfig.isTlsFlightUri(uri)) {
            return FlightClient.builder(allocator, new Location(URI.create(uri))).maxInboundMessageSize(MAX_INBOUND).build();
        }
        return FlightGrpcUtils.createFlightClient(allocator, channel(uri, tls));
    }

    /** A gRPC channel to the Flight server at {@code uri} (for calls Flight's client does not make the way we need). */
    public static ManagedChannel channel(String uri, Tls tls) {
        URI u = URI.create(uri);
        NettyChannelBuilder b = NettyChannelBuilder.forAddress(u.getHost(), u.getPort())
                .maxInboundMessageSize(MAX_INBOUND).maxInboundMetadataSize(MAX_INBOUND).maxTraceEvents(0);
        if (TlsConfig.isTlsFlightUri(uri)) {
            if (!tls.enabled()) {
                throw new IllegalArgumentException("the Flight server at " + uri + " speaks TLS, and TLS is not configured "
                        + "here: give the CA of the cluster (--tls-ca, or ClientOptions.withTls)");
            }
            b.useTransportSecurity().sslContext(tls.grpcClientContext());
        } else {
            b.usePlaintext();
        }
        return b.build();
    }
}
