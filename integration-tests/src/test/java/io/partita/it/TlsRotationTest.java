package io.partita.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.partita.client.Client;
import io.partita.client.ClientOptions;
import io.partita.client.SubmitOptions;
import io.partita.client.TaskFuture;
import io.partita.common.data.Partition;
import io.partita.common.protocol.WorkerInfo;
import io.partita.common.protocol.WorkerStatus;
import io.partita.testnet.TestCa;
import java.io.IOException;
import java.math.BigInteger;
import java.net.URI;
import java.nio.file.Files;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * Certificates renewed on disk while a graph runs, as cert-manager renews them: the graph finishes, and every port
 * (the scheduler's API, dashboard and Flight proxy, each worker's Flight and HTTP) shows the new certificate to new
 * connections, with no process restarted; tables then cross between the workers and to a new client over them.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(240)
class TlsRotationTest {
    private TlsFixture tls;
    private ClusterProcesses cluster;

    @BeforeAll
    void start() throws IOException {
        tls = TlsFixture.tls("rotation");
        cluster = ClusterProcesses.scheduler("tls-rotation", null, tls);
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

    /** Every TLS port of the cluster, by name, and the certificate (by its CN) each one must serve. */
    private Map<String, Integer> ports(Map<String, String> cnByPort) {
        Map<String, Integer> ports = new LinkedHashMap<>();
        ports.put("scheduler API", cluster.port);
        ports.put("dashboard", cluster.dashboardPort);
        ports.put("Flight proxy", cluster.flightPort);
        cnByPort.put("scheduler API", "scheduler");
        cnByPort.put("dashboard", "scheduler");
        cnByPort.put("Flight proxy", "scheduler");
        for (WorkerStatus w : cluster.workerStatus()) {
            WorkerInfo info = w.info();
            ports.put(info.name() + " Flight", URI.create(info.flightUri()).getPort());
            ports.put(info.name() + " HTTP", info.httpPort());
            cnByPort.put(info.name() + " Flight", info.name());
            cnByPort.put(info.name() + " HTTP", info.name());
        }
        return ports;
    }

    @Test
    void renewedCertificatesAreServedToNewConnectionsWhileAGraphRuns() throws Exception {
        Map<String, String> cn = new LinkedHashMap<>();
        Map<String, Integer> ports = ports(cn);
        Map<String, BigInteger> before = new LinkedHashMap<>();
        ports.forEach((name, port) -> before.put(name, tls.servedSerial(port)));

        try (Client client = Client.connect(ClientOptions.of(cluster.address()).withTls(tls.clientConfig()))) {
            List<TaskFuture<Integer>> slow = client.map(TlsTasks.sleepThenEcho(250), IntStream.range(0, 40).boxed().toList(),
                    SubmitOptions.defaults().prefix("slow"));
            TaskFuture<Integer> total = client.submitWith(SubmitOptions.defaults().prefix("total"), TlsTasks.sum(), slow);
            cluster.waitUntil("the graph to be running (a first task done)", Duration.ofSeconds(60),
                    () -> slow.stream().anyMatch(TaskFuture::isDone));

            Map<String, BigInteger> renewed = new LinkedHashMap<>();
            for (TestCa.Issued issued : tls.renewAll()) {
                renewed.put(issued.certificate().getSubjectX500Principal().getName().replace("CN=", ""), issued.serial());
            }
            assertThat(total.isDone()).as("the renewal came while the graph ran").isFalse();

            cluster.waitUntil("every port to serve its renewed certificate", Duration.ofSeconds(30),
                    () -> ports.entrySet().stream().allMatch(p -> tls.servedSerial(p.getValue()).equals(renewed.get(cn.get(p.getKey())))));
            ports.forEach((name, port) -> assertThat(tls.servedSerial(port)).as(name).isNotEqualTo(before.get(name)));

            assertThat(total.result(Duration.ofSeconds(120))).isEqualTo(IntStream.range(0, 40).sum());
        }
        // new connections everywhere, on the new certificates: a client, a table from w1 to w2 (bulk path), gathered
        try (Client client = Client.connect(ClientOptions.of(cluster.address()).withTls(tls.clientConfig()))) {
            TaskFuture<Partition> table = client.submitWith(SubmitOptions.defaults().workers(List.of("w1")), TlsTasks.longs(3, 500_000));
            TaskFuture<Long> sum = client.submitWith(SubmitOptions.defaults().workers(List.of("w2")), TlsTasks.sumOfTable(), table);
            assertThat(sum.result(Duration.ofSeconds(60))).isEqualTo(500_000L * 3 + 499_999L * 500_000L / 2);
            try (Partition back = table.result(Duration.ofSeconds(60))) {
                assertThat(back.rowCount()).isEqualTo(500_000);
            }
        }
        assertThat(Files.readString(cluster.logs().resolve("scheduler.log"))).contains("TLS files reloaded");
        for (int i = 1; i <= 2; i++) {
            assertThat(Files.readString(cluster.logs().resolve("worker-" + i + ".log"))).as("worker %d", i).contains("TLS files reloaded");
        }
    }
}
