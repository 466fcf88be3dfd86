package io.partita.scheduler.flight;

import static org.assertj.core.api.Assertions.assertThat;

import io.partita.common.auth.ClusterToken;
import io.partita.common.flight.FetchTicket;
import io.partita.common.flight.FlightAuth;
import io.partita.common.flight.FlightTickets;
import io.partita.common.flight.KeyValueBatches;
import io.partita.common.protocol.WorkerAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.arrow.flight.FlightClient;
import org.apache.arrow.flight.FlightServer;
import org.apache.arrow.flight.Location;
import org.apache.arrow.flight.NoOpFlightProducer;
import org.apache.arrow.flight.Ticket;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The proxy when a holder the state still lists has died (the race a killed worker opens until the scheduler hears
 * of it): the keys are asked of their next holder, or left out, never a failed fetch that loses the client's graph.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FlightProxyTest {
    private final BufferAllocator allocator = new RootAllocator();
    private FlightServer live;
    private String deadUri;
    private FlightProxy proxy;
    private final Map<String, List<WorkerAddress>> holders = new HashMap<>();

    @BeforeEach
    void start() throws Exception {
        live = FlightServer.builder(allocator, Location.forGrpcInsecure("127.0.0.1", 0), new NoOpFlightProducer() {
            @Override
            public void getStream(CallContext context, Ticket ticket, ServerStreamListener listener) {
                Map<String, byte[]> values = new HashMap<>();
                ((FetchTicket) FlightTickets.decode(ticket)).keys().forEach(k -> values.put(k, k.getBytes(StandardCharsets.UTF_8)));
                KeyValueBatches.write(allocator, values.entrySet().iterator(), listener);
            }
        }).build().start();
        try (ServerSocket free = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            deadUri = "grpc+tcp://127.0.0.1:" + free.getLocalPort(); // nothing listens there once closed
        }
        proxy = new FlightProxy("127.0.0.1", 0, ClusterToken.none(), io.partita.common.tls.Tls.off(),
                keys -> CompletableFuture.completedFuture(Map.copyOf(holders)));
    }

    @AfterEach
    void stop() throws Exception {
        proxy.close();
        live.close();
        allocator.close();
    }

    @Test
    void aKeyWhoseFirstHolderDiedIsFetchedFromTheNext() throws Exception {
        holders.put("a", List.of(holder("dead", deadUri), holder("live", "grpc+tcp://127.0.0.1:" + live.getPort())));
        holders.put("b", List.of(holder("live", "grpc+tcp://127.0.0.1:" + live.getPort())));

        assertThat(fetch(List.of("a", "b"))).containsOnlyKeys("a", "b");
    }

    @Test
    void aKeyWhoseOnlyHolderDiedIsLeftOutWhileTheOthersAreServed() throws Exception {
        holders.put("a", List.of(holder("dead", deadUri)));
        holders.put("b", List.of(holder("live", "grpc+tcp://127.0.0.1:" + live.getPort())));

        assertThat(fetch(List.of("a", "b"))).containsOnlyKeys("b");
    }

    private Map<String, byte[]> fetch(List<String> keys) throws Exception {
        Map<String, byte[]> got = new HashMap<>();
        try (FlightClient client = FlightClient.builder(allocator, Location.forGrpcInsecure("127.0.0.1", proxy.port())).build()) {
            KeyValueBatches.read(client.getStream(new FetchTicket(keys).toTicket(), FlightAuth.callOptions(ClusterToken.none())), got::put);
        }
        return got;
    }

    private static WorkerAddress holder(String id, String uri) {
        return new WorkerAddress(id, "h-" + id, uri, "", "", "");
    }
}
