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
import io.partita.common.fn.Fn0;
import io.partita.common.fn.Fn1;
import io.partita.common.net.InternalHttp;
import io.partita.common.protocol.WorkerLoad.TransferCounters;
import io.partita.common.protocol.WorkerStatus;
import io.partita.common.tls.TlsConfig;
import io.partita.testnet.TestCa;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * A cluster with TLS on every endpoint, started through bin/ with certificates of a test CA: a scheduler and two
 * workers on different host ids (so that tables cross between them on the bulk path, values over Flight), a client
 * that trusts the CA. A client of another CA, and one without TLS, are refused with errors that say what to do.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(240)
class TlsClusterTest {
    private static final String TOKEN = "tls-and-a-token";
    private TlsFixture tls;
    private ClusterProcesses cluster;
    private Client client;

    @BeforeAll
    void start() throws IOException {
        tls = TlsFixture.tls("cluster");
        cluster = ClusterProcesses.scheduler("tls", TOKEN, tls);
        cluster.addWorker(1);
        cluster.addWorker(1, "--host-id", "another-host");
        cluster.awaitWorkers(2);
        client = Client.connect(ClientOptions.of(cluster.address()).withToken(TOKEN).withTls(tls.clientConfig()));
    }

    @AfterAll
    void stop() throws IOException {
        if (client != null) {
            client.close();
        }
        if (cluster != null) {
            cluster.close();
            for (int i = 1; i <= 2; i++) {
                assertThat(Files.readString(cluster.logs().resolve("worker-" + i + ".log")))
                        .contains("worker stopped with no Arrow memory outstanding");
            }
        }
    }

    private TransferCounters transfers(String name) {
        return cluster.workerStatus().stream().filter(w -> w.info().name().equals(name)).findFirst().orElseThrow().load().transfers();
    }

    @Test
    void workersAnnounceTlsEndpoints() {
        List<WorkerStatus> workers = cluster.workerStatus();
        assertThat(workers).hasSize(2).allSatisfy(w -> {
            assertThat(w.info().flightUri()).startsWith("grpc+tls://127.0.0.1:");
            assertThat(w.info().address().httpUri()).startsWith("https://127.0.0.1:");
        });
        assertThat(Files.exists(cluster.logs().resolve("scheduler.log"))).isTrue();
    }

    @Test
    void aGraphMovesATableAndValuesBetweenWorkersAndGathersThemOverFlight() {
        long bulkBefore = transfers("w2").bulkInCount();
        long flightBefore = transfers("w2").flightInCount();
        TaskFuture<Partition> table = client.submitWith(SubmitOptions.defaults().workers(List.of("w1")),
                (Fn0<Partition>) () -> Tables.longs(5, 1_000_000));
        TaskFuture<String> value = client.submitWith(SubmitOptions.defaults().workers(List.of("w1")), (Fn0<String>) () -> "made on w1");
        TaskFuture<Long> sum = client.submitWith(SubmitOptions.defaults().workers(List.of("w2")),
                (Fn1<Partition, Long>) Tables::sum, table);
        TaskFuture<String> echoed = client.submitWith(SubmitOptions.defaults().workers(List.of("w2")),
                (Fn1<String, String>) s -> s + ", read on w2", value);

        assertThat(sum.result(Duration.ofSeconds(60))).isEqualTo(1_000_000L * 5 + 999_999L * 1_000_000L / 2);
        assertThat(echoed.result(Duration.ofSeconds(60))).isEqualTo("made on w1, read on w2");
        cluster.waitUntil("w2 to count the table's bulk transfer (https)", Duration.ofSeconds(10),
                () -> transfers("w2").bulkInCount() > bulkBefore);
        cluster.waitUntil("w2 to count the value's Flight transfer (grpc+tls)", Duration.ofSeconds(10),
                () -> transfers("w2").flightInCount() > flightBefore);

        try (Partition back = table.result(Duration.ofSeconds(60))) { // from w1's Flight server
            assertThat(back.rowCount()).isEqualTo(1_000_000);
            assertThat(Tables.sum(back)).isEqualTo(sum.result());
        }
        try (Client viaProxy = Client.connect(ClientOptions.of(cluster.address()).withToken(TOKEN).withTls(tls.clientConfig())
                .withGatherMode(GatherMode.PROXY))) {
            TaskFuture<Partition> again = viaProxy.submitWith(SubmitOptions.defaults().workers(List.of("w2")),
                    (Fn0<Partition>) () -> Tables.longs(1, 1000));
            try (Partition back = again.result(Duration.ofSeconds(60))) { // through the scheduler's Flight proxy
                assertThat(Tables.sum(back)).isEqualTo(1000L * 1001 / 2);
            }
            assertThat(viaProxy.gather(viaProxy.map((Integer i) -> i * 2, List.of(1, 2, 3)))).containsExactly(2, 4, 6);
        }
        try (Partition scattered = Tables.mixed(client.allocator(), 1, 100)) {
            TaskFuture<Partition> put = client.scatter(scattered); // DoPut over grpc+tls
            assertThat(client.submit((Partition p) -> p.rowCount(), put).result(Duration.ofSeconds(60))).isEqualTo(100L);
        }
        table.release();
    }

    @Test
    void theDashboardAndTheApiAnswerOverHttpsOnly() throws Exception {
        HarnessHttp https = new HarnessHttp(tls.harness());
        try (https) {
            assertThat(https.get("https://127.0.0.1:" + cluster.dashboardPort + "/health", null).orElseThrow().statusCode()).isEqualTo(200);
            assertThat(https.get("https://127.0.0.1:" + cluster.port + "/api/cluster", "Bearer " + TOKEN).orElseThrow().statusCode())
                    .isEqualTo(200);
        }
        try (HttpClient plain = InternalHttp.client(Duration.ofSeconds(5))) {
            for (int port : List.of(cluster.dashboardPort, cluster.port)) {
                assertThatThrownBy(() -> plain.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health"))
                        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString()))
                        .as("clear text on port %d", port).isInstanceOf(IOException.class);
            }
        }
    }

    @Test
    void aClientTrustingAnotherCaIsRefusedWithAClearError() {
        Path otherCa = TestCa.create("another-ca").writeCertificate(tls.dir.resolve("another-ca.crt"));
        assertThatThrownBy(() -> Client.connect(ClientOptions.of(cluster.address()).withToken(TOKEN).withTls(TlsConfig.client(otherCa))).close())
                .isInstanceOf(PartitaException.class)
                .hasMessageContaining("TLS: the certificate of the scheduler at " + cluster.address() + " is not signed by a CA this process trusts")
                .hasMessageContaining("withTlsCa");
        // the JVM's trust store does not know the test CA either
        assertThatThrownBy(() -> Client.connect(ClientOptions.of("tls://" + cluster.address()).withToken(TOKEN)).close())
                .isInstanceOf(PartitaException.class).hasMessageContaining("is not signed by a CA this process trusts");
    }

    @Test
    void aClientWithoutTlsIsToldTheSchedulerMayServeIt() {
        assertThatThrownBy(() -> Client.connect(ClientOptions.of(cluster.address()).withToken(TOKEN).withTls(TlsConfig.none())
                .withConnectTimeout(Duration.ofSeconds(5))).close())
                .isInstanceOf(PartitaException.class).hasMessageContaining("if it serves TLS, connect with tls://" + cluster.address());
    }

    @Test
    void aWorkerWithoutTlsDoesNotJoinAndSaysWhy() throws Exception {
        Process plain = cluster.addWorkerWithoutTls(1, "--connect-timeout", "3", "--no-nanny");
        cluster.waitUntil("the worker without TLS to exit", Duration.ofSeconds(60), () -> !plain.isAlive());
        assertThat(plain.exitValue()).isEqualTo(2);
        assertThat(Files.readString(cluster.logs().resolve("worker-" + cluster.workers().size() + ".log")))
                .contains("if the scheduler serves TLS, start this worker with --tls-cert, --tls-key and --tls-ca");
        assertThat(cluster.workerStatus()).hasSize(2);
    }
}
