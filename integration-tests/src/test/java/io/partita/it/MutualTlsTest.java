package io.partita.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.partita.client.Client;
import io.partita.client.ClientOptions;
import io.partita.client.GatherMode;
import io.partita.client.PartitaException;
import io.partita.client.SubmitOptions;
import io.partita.client.TaskFuture;
import io.partita.common.data.Partition;
import io.partita.common.flight.FetchTicket;
import io.partita.common.flight.FlightTls;
import io.partita.common.net.InternalHttp;
import io.partita.common.protocol.WorkerInfo;
import io.partita.common.tls.Tls;
import io.partita.common.tls.TlsConfig;
import io.partita.testnet.TestCa;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import org.apache.arrow.flight.CallStatus;
import org.apache.arrow.flight.FlightClient;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.FlightStream;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * Mutual TLS ({@code --tls-client-auth} on the scheduler and the workers): workers and a client with certificates of
 * the cluster's CA work as usual; a worker whose certificate another CA signed is refused and exits saying why, and
 * nothing without a certificate gets through the API, a worker's Flight or its bulk path, while the dashboard (which
 * browsers open) and a worker's {@code /health} and {@code /metrics} (Kubernetes probes, Prometheus) ask for none.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(240)
class MutualTlsTest {
    private TlsFixture tls;
    private ClusterProcesses cluster;

    @BeforeAll
    void start() throws IOException {
        tls = TlsFixture.mutual("mutual");
        cluster = ClusterProcesses.scheduler("tls-mutual", null, tls);
        cluster.addWorker(1);
        cluster.addWorker(1, "--host-id", "another-host");
        cluster.awaitWorkers(2);
    }

    @AfterAll
    void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void workersAndAClientWithCertificatesRunAGraphAndMoveTables() {
        for (GatherMode mode : List.of(GatherMode.DIRECT, GatherMode.PROXY)) {
            try (Client client = Client.connect(ClientOptions.of(cluster.address()).withTls(tls.clientConfig()).withGatherMode(mode))) {
                TaskFuture<Partition> table = client.submitWith(SubmitOptions.defaults().workers(List.of("w1")), TlsTasks.longs(0, 200_000));
                TaskFuture<Long> sum = client.submitWith(SubmitOptions.defaults().workers(List.of("w2")), TlsTasks.sumOfTable(), table);
                assertThat(sum.result(Duration.ofSeconds(60))).as(mode.name()).isEqualTo(199_999L * 200_000L / 2);
                try (Partition back = table.result(Duration.ofSeconds(60))) {
                    assertThat(back.rowCount()).as(mode.name()).isEqualTo(200_000);
                }
            }
        }
    }

    @Test
    void aClientWithoutACertificateIsRefusedSayingOneIsRequired() {
        assertThatThrownBy(() -> Client.connect(ClientOptions.of(cluster.address()).withTls(TlsConfig.client(tls.caFile))).close())
                .isInstanceOf(PartitaException.class)
                .hasMessageContaining("requires a client certificate (mutual TLS, --tls-client-auth)");
    }

    @Test
    void aWorkerWithACertificateOfAnotherCaIsRefusedAndExitsSayingWhy() throws Exception {
        TestCa.Issued foreign = TestCa.create("foreign-ca").issue("intruder", tls.dir, "intruder");
        Process intruder = cluster.addWorker(1, "--tls-cert", foreign.cert().toString(), "--tls-key", foreign.key().toString(),
                "--tls-ca", tls.caFile.toString(), "--connect-timeout", "20");
        int n = cluster.workers().size();
        cluster.waitUntil("the worker of another CA to exit", Duration.ofSeconds(60), () -> !intruder.isAlive());
        assertThat(intruder.exitValue()).isEqualTo(2);
        assertThat(Files.readString(cluster.logs().resolve("worker-" + n + ".log")))
                .contains("refused this process's certificate (mutual TLS, --tls-client-auth)");
        assertThat(cluster.workerStatus()).hasSize(2);
    }

    @Test
    void aWorkerWithoutACertificateIsRefused() throws Exception {
        Process bare = cluster.addWorker(1, "--tls-ca", tls.caFile.toString(), "--no-nanny");
        int n = cluster.workers().size();
        cluster.waitUntil("the worker without a certificate to exit", Duration.ofSeconds(60), () -> !bare.isAlive());
        assertThat(bare.exitValue()).isEqualTo(2);
        assertThat(Files.readString(cluster.logs().resolve("worker-" + n + ".log"))).contains("needs both --tls-cert and --tls-key");
        assertThat(cluster.workerStatus()).hasSize(2);
    }

    @Test
    void nothingWithoutACertificateGetsThroughTheApiTheWorkersFlightOrTheirBulkPath() throws Exception {
        WorkerInfo w1 = cluster.workerStatus().getFirst().info();
        try (Tls noCertificate = Tls.start(TlsConfig.client(tls.caFile));
             HttpClient http = InternalHttp.client(Duration.ofSeconds(5), noCertificate)) {
            assertThatThrownBy(() -> http.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + cluster.port + "/api/cluster"))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString()))
                    .isInstanceOf(IOException.class).hasStackTraceContaining("certificate_required");
            HttpResponse<String> segments = http.send(HttpRequest.newBuilder(URI.create(w1.address().httpUri() + "/segments?key=any"))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(segments.statusCode()).isEqualTo(403);
            assertThat(segments.body()).contains("the bulk path needs a client certificate signed by the cluster's CA");
            // the dashboard asks browsers for no certificate, a worker's /health and /metrics answer probes and scrapers
            for (String url : List.of("https://127.0.0.1:" + cluster.dashboardPort + "/health", w1.address().httpUri() + "/health",
                    w1.address().httpUri() + "/metrics")) {
                assertThat(http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
                        HttpResponse.BodyHandlers.ofString()).statusCode()).as(url).isEqualTo(200);
            }

            try (RootAllocator allocator = new RootAllocator();
                 FlightClient flight = FlightTls.client(allocator, w1.flightUri(), noCertificate)) {
                assertThatThrownBy(() -> {
                    try (FlightStream stream = flight.getStream(new FetchTicket(List.of("any-1")).toTicket())) {
                        stream.next();
                    }
                }).isInstanceOfSatisfying(FlightRuntimeException.class,
                        e -> assertThat(e.status().code()).isEqualTo(CallStatus.UNAVAILABLE.code()));
            }
        }
        // a certificate of another CA is refused in the handshake, on the worker's HTTP port too
        TestCa.Issued foreign = TestCa.create("foreign-ca-2").issue("intruder-2", tls.dir, "intruder-2");
        try (Tls foreignCertificate = Tls.start(TlsConfig.client(tls.caFile).withClientCertificate(foreign.cert(), foreign.key()));
             HttpClient http = InternalHttp.client(Duration.ofSeconds(5), foreignCertificate)) {
            assertThatThrownBy(() -> http.send(HttpRequest.newBuilder(URI.create(w1.address().httpUri() + "/health"))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString())).isInstanceOf(IOException.class);
        }
    }
}
