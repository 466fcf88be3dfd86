package io.partita.common.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.partita.common.flight.FlightTls;
import io.partita.common.net.InternalHttp;
import io.partita.testnet.TestCa;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import java.io.IOException;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLSocket;
import org.apache.arrow.flight.CallStatus;
import org.apache.arrow.flight.FlightClient;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.FlightServer;
import org.apache.arrow.flight.NoOpFlightProducer;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS on the three stacks, against real servers on loopback: a Vert.x HTTP server with the JDK's client, a Flight
 * server with Flight clients; the server verified, TLS 1.3 only, files reloaded, mutual TLS.
 */
@Timeout(120)
class TlsEndpointsTest {
    private static final Duration RELOAD = Duration.ofMillis(200);
    @TempDir
    Path dir;
    private TestCa ca;
    private Path caFile;
    private TestCa.Issued server;
    private final List<AutoCloseable> closing = new java.util.ArrayList<>();
    private Vertx vertx;
    private RootAllocator allocator;

    @BeforeEach
    void setUp() {
        ca = TestCa.create("endpoints-ca");
        caFile = ca.writeCertificate(dir.resolve("ca.crt"));
        server = ca.issue("server", dir, "server");
        vertx = Vertx.vertx();
        allocator = new RootAllocator();
    }

    @AfterEach
    void tearDown() throws Exception {
        for (AutoCloseable c : closing.reversed()) {
            c.close();
        }
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        allocator.close();
    }

    private Tls tls(TlsConfig config) throws IOException {
        Tls t = Tls.start(config, RELOAD);
        closing.add(t);
        return t;
    }

    private Tls serverTls(boolean clientAuth) throws IOException {
        return tls(TlsConfig.server(server.cert(), server.key(), caFile, clientAuth));
    }

    private int https(Tls tls) throws Exception {
        HttpServer s = vertx.createHttpServer(VertxTls.server(new HttpServerOptions(), tls))
                .requestHandler(r -> r.response().end("hello over " + (r.isSSL() ? "tls" : "clear text")));
        int port = s.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS).actualPort();
        closing.add(() -> s.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS));
        return port;
    }

    private static String get(Tls client, int port) throws Exception {
        try (HttpClient http = InternalHttp.client(Duration.ofSeconds(5), client)) {
            return http.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + port + "/")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
        }
    }

    /** The serial of the certificate a new connection to {@code port} is shown. */
    private static BigInteger servedSerial(Tls client, int port) throws IOException {
        try (SSLSocket s = (SSLSocket) client.sslContext().getSocketFactory().createSocket("127.0.0.1", port)) {
            s.setSSLParameters(client.clientParameters());
            s.startHandshake();
            return ((X509Certificate) s.getSession().getPeerCertificates()[0]).getSerialNumber();
        }
    }

    @Test
    void aClientTrustingTheCaGetsAnswersOverTls13AndAnotherCaIsRefused() throws Exception {
        int port = https(serverTls(false));
        assertThat(get(tls(TlsConfig.client(caFile)), port)).isEqualTo("hello over tls");
        try (SSLSocket s = (SSLSocket) tls(TlsConfig.client(caFile)).sslContext().getSocketFactory().createSocket("127.0.0.1", port)) {
            s.startHandshake();
            assertThat(s.getSession().getProtocol()).isEqualTo("TLSv1.3");
        }
        Path otherCa = TestCa.create("other-ca").writeCertificate(dir.resolve("other-ca.crt"));
        assertThatThrownBy(() -> get(tls(TlsConfig.client(otherCa)), port)).isInstanceOf(SSLHandshakeException.class)
                .hasMessageContaining("PKIX path");
        Tls jvmTrust = tls(TlsConfig.client(null)); // the JVM's trust store does not know the test CA
        assertThatThrownBy(() -> get(jvmTrust, port)).isInstanceOf(SSLHandshakeException.class);
    }

    @Test
    void aTls12OnlyClientIsRefusedByDefaultAndAcceptedWhenAllowed() throws Exception {
        Tls tls12 = tls(TlsConfig.client(caFile).withProtocols(List.of("TLSv1.2")));
        int strict = https(serverTls(false));
        assertThatThrownBy(() -> get(tls12, strict)).isInstanceOf(SSLHandshakeException.class);
        int lenient = https(tls(TlsConfig.server(server.cert(), server.key(), caFile, false)
                .withProtocols(List.of("TLSv1.3", "TLSv1.2"))));
        assertThat(get(tls12, lenient)).isEqualTo("hello over tls");
    }

    @Test
    void replacedFilesAreServedOnNewConnectionsOfVertxAndFlightWithoutARestart() throws Exception {
        Tls serverSide = serverTls(false);
        int httpsPort = https(serverSide);
        FlightServer flight = FlightTls.server(allocator, "127.0.0.1", 0, new NoOpFlightProducer(), serverSide).build().start();
        closing.add(flight);
        Tls client = tls(TlsConfig.client(caFile));
        assertThat(servedSerial(client, httpsPort)).isEqualTo(server.serial());
        assertThat(servedSerial(client, flight.getPort())).isEqualTo(server.serial());

        TestCa.Issued renewed = ca.issue("server", dir, "server"); // same paths, as cert-manager renews
        await("the new certificate on both ports", () -> {
            try {
                return servedSerial(client, httpsPort).equals(renewed.serial())
                        && servedSerial(client, flight.getPort()).equals(renewed.serial());
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        });
        assertThat(serverSide.reloads()).isEqualTo(1);
        assertThat(get(client, httpsPort)).isEqualTo("hello over tls");
        try (FlightClient fc = FlightTls.client(allocator, FlightTls.uri("127.0.0.1", flight.getPort(), client), client)) {
            assertThatThrownBy(() -> fc.listActions().forEach(a -> { }))
                    .isInstanceOfSatisfying(FlightRuntimeException.class, e -> assertThat(e.status().code())
                            .isEqualTo(CallStatus.UNIMPLEMENTED.code())); // reached the producer: TLS worked
        }
    }

    @Test
    void aKeyNotYetMatchingItsCertificateKeepsThePreviousOne() throws Exception {
        Tls serverSide = serverTls(false);
        int port = https(serverSide);
        Tls client = tls(TlsConfig.client(caFile));
        TestCa.Issued other = ca.issue("other", dir, "other");
        java.nio.file.Files.copy(other.key(), server.key(), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Instant until = Instant.now().plus(RELOAD.multipliedBy(5));
        while (Instant.now().isBefore(until)) { // several reload ticks: each must keep the old, matching pair
            assertThat(servedSerial(client, port)).isEqualTo(server.serial());
        }
        java.nio.file.Files.copy(other.cert(), server.cert(), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        await("the now matching pair", () -> {
            try {
                return servedSerial(client, port).equals(other.serial());
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        });
    }

    @Test
    void mutualTlsRefusesClientsWithoutACertificateSignedByTheCa() throws Exception {
        Tls serverSide = serverTls(true);
        int httpsPort = https(serverSide);
        FlightServer flight = FlightTls.server(allocator, "127.0.0.1", 0, new NoOpFlightProducer(), serverSide).build().start();
        closing.add(flight);
        String flightUri = FlightTls.uri("127.0.0.1", flight.getPort(), serverSide);

        TestCa.Issued client = ca.issue("client", dir, "client");
        Tls withCert = tls(TlsConfig.client(caFile).withClientCertificate(client.cert(), client.key()));
        assertThat(get(withCert, httpsPort)).isEqualTo("hello over tls");
        try (FlightClient fc = FlightTls.client(allocator, flightUri, withCert)) {
            assertThatThrownBy(() -> fc.listActions().forEach(a -> { })).isInstanceOfSatisfying(FlightRuntimeException.class,
                    e -> assertThat(e.status().code()).isEqualTo(CallStatus.UNIMPLEMENTED.code()));
        }

        Tls noCert = tls(TlsConfig.client(caFile));
        assertThatThrownBy(() -> get(noCert, httpsPort)).isInstanceOf(IOException.class);
        TestCa.Issued foreign = TestCa.create("foreign-ca").issue("intruder", dir, "intruder");
        Tls foreignCert = tls(TlsConfig.client(caFile).withClientCertificate(foreign.cert(), foreign.key()));
        assertThatThrownBy(() -> get(foreignCert, httpsPort)).isInstanceOf(IOException.class);
        for (Tls refused : List.of(noCert, foreignCert)) {
            try (FlightClient fc = FlightTls.client(allocator, flightUri, refused)) {
                assertThatThrownBy(() -> fc.listActions().forEach(a -> { })).isInstanceOfSatisfying(FlightRuntimeException.class,
                        e -> assertThat(e.status().code()).isEqualTo(CallStatus.UNAVAILABLE.code()));
            }
        }
    }

    @Test
    void aPortAskingForClientCertificatesLetsPeersWithoutOneInAndRefusesOnesOfAnotherCa() throws Exception {
        Tls serverSide = serverTls(true);
        HttpServer s = vertx.createHttpServer(VertxTls.serverAskingClientAuth(new HttpServerOptions(), serverSide))
                .requestHandler(r -> {
                    boolean presented;
                    try {
                        presented = !r.connection().peerCertificates().isEmpty();
                    } catch (javax.net.ssl.SSLPeerUnverifiedException e) {
                        presented = false;
                    }
                    r.response().end(presented ? "with a certificate" : "without a certificate");
                });
        int port = s.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS).actualPort();
        closing.add(() -> s.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS));
        assertThat(get(tls(TlsConfig.client(caFile)), port)).isEqualTo("without a certificate");
        TestCa.Issued client = ca.issue("client", dir, "client");
        assertThat(get(tls(TlsConfig.client(caFile).withClientCertificate(client.cert(), client.key())), port))
                .isEqualTo("with a certificate");
        TestCa.Issued foreign = TestCa.create("foreign-ca").issue("intruder", dir, "intruder");
        Tls foreignCert = tls(TlsConfig.client(caFile).withClientCertificate(foreign.cert(), foreign.key()));
        assertThatThrownBy(() -> get(foreignCert, port)).isInstanceOf(IOException.class);
    }

    @Test
    void offChangesNothing() throws Exception {
        Tls off = Tls.start(TlsConfig.none());
        assertThat(off).isSameAs(Tls.off());
        HttpServerOptions options = VertxTls.server(new HttpServerOptions(), off);
        assertThat(options.isSsl()).isFalse();
        assertThat(FlightTls.uri("127.0.0.1", 8789, off)).isEqualTo("grpc+tcp://127.0.0.1:8789");
        assertThatThrownBy(() -> FlightTls.channel("grpc+tls://127.0.0.1:1", off)).hasMessageContaining("speaks TLS");
    }

    private static void await(String what, Supplier<Boolean> condition) {
        Instant deadline = Instant.now().plusSeconds(20);
        while (!condition.get()) {
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError("timed out waiting for " + what);
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        }
    }
}
