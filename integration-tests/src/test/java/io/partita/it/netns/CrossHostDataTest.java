package io.partita.it.netns;

import static org.assertj.core.api.Assertions.assertThat;

import io.partita.common.protocol.WorkerLoad.TransferCounters;
import io.partita.common.protocol.WorkerStatus;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Five hosts, each a network namespace with its own address and {@code /dev/shm}: the scheduler on h1, workers on
 * h2 (producer), h3 (bulk path, {@code --listen-address 0.0.0.0}) and h4 ({@code --peer-transfer flight}), the
 * client on h5. A table made on h2 crosses
 * to h3 by the bulk path and to h4 by Flight, is gathered to the client over Flight and a table scattered from it;
 * the workers' counters show bulk and Flight bytes and no shared segment.
 */
@Timeout(300)
class CrossHostDataTest {
    private static final long SUM = 1_000_000L * 5 + 999_999L * 1_000_000L / 2; // 5 .. 1,000,004

    @Test
    void tablesCrossHostsByTheBulkPathAndByFlightAndReachAClientOnItsOwnHost() throws Exception {
        try (NetnsCluster cluster = NetnsCluster.create("cross-host-data", 5)) {
            cluster.startScheduler(cluster.host(1));
            cluster.startWorker(cluster.host(2), "producer");
            // listens on every interface of its host, announces its address on the bridge
            cluster.startWorker(cluster.host(3), "bulk", "--listen-address", "0.0.0.0");
            cluster.startWorker(cluster.host(4), "flight", "--peer-transfer", "flight");
            cluster.awaitWorkers("producer", "bulk", "flight");

            // every worker is on a host of its own, at that host's address
            List<WorkerStatus> workers = cluster.workerStatus();
            assertThat(workers).extracting(w -> w.info().hostId()).doesNotHaveDuplicates();
            for (WorkerStatus w : workers) {
                assertThat(w.info().host()).startsWith("10.77.");
                assertThat(w.info().flightUri()).contains(w.info().host());
            }

            // --listen-address 0.0.0.0: the bulk reader answers on its host's loopback too; the producer, bound to its
            // --host only, does not
            WorkerStatus bulkReader = status(cluster, "bulk");
            WorkerStatus producer = status(cluster, "producer");
            assertThat(cluster.get(cluster.host(3), "http://127.0.0.1:" + bulkReader.info().httpPort() + "/health")).isPresent();
            assertThat(cluster.get(cluster.host(2), "http://127.0.0.1:" + producer.info().httpPort() + "/health")).isEmpty();
            assertThat(cluster.get(cluster.host(2), "http://" + producer.info().host() + ":" + producer.info().httpPort()
                    + "/health")).isPresent();

            NetnsCluster.ClientRun client = cluster.client(cluster.host(5), "cross-hosts", cluster.address(), "cross-hosts",
                    "producer", "bulk", "flight");
            client.awaitSuccess(Duration.ofSeconds(180));

            assertThat(client.result("gather-rows")).isEqualTo("1000000");
            assertThat(client.result("gather-sum")).isEqualTo(Long.toString(SUM));
            assertThat(client.result("bulk-sum")).isEqualTo(Long.toString(SUM));
            assertThat(client.result("flight-sum")).isEqualTo(Long.toString(SUM));
            assertThat(client.result("scatter-sum")).isEqualTo(Long.toString(100L * 1000 + 999L * 1000 / 2));
            // each reader maps its own copy, in its own segment folder (its host's /dev/shm), not the producer's file
            assertThat(client.result("bulk-first")).isEqualTo("5");
            assertThat(client.result("flight-first")).isEqualTo("5");
            assertThat(client.result("bulk-file")).startsWith(status(cluster, "bulk").info().segmentDir());
            assertThat(client.result("flight-file")).startsWith(status(cluster, "flight").info().segmentDir());

            cluster.waitUntil("the bulk reader to count its bulk transfer", Duration.ofSeconds(20),
                    () -> transfers(cluster, "bulk").bulkInBytes() >= 8_000_000);
            cluster.waitUntil("the Flight reader to count its Flight transfer", Duration.ofSeconds(20),
                    () -> transfers(cluster, "flight").flightInBytes() >= 8_000_000);
            cluster.waitUntil("the producer to count what it sent", Duration.ofSeconds(20),
                    () -> transfers(cluster, "producer").bulkOutBytes() >= 8_000_000
                            && transfers(cluster, "producer").flightOutBytes() >= 8_000_000);
            TransferCounters bulk = transfers(cluster, "bulk");
            TransferCounters flight = transfers(cluster, "flight");
            assertThat(bulk.segmentInCount()).as("segments mapped from a neighbour on the bulk reader: %s", bulk).isZero();
            // (a value that is not a table always goes by Flight; the 8 MB table did not)
            assertThat(bulk.flightInBytes()).as("bytes by Flight on the bulk reader: %s", bulk).isLessThan(1_000_000);
            assertThat(flight.segmentInCount()).as("segments mapped from a neighbour on the Flight reader: %s", flight).isZero();
            assertThat(flight.bulkInCount()).as("bulk transfers on the Flight reader: %s", flight).isZero();
        }
    }

    private static WorkerStatus status(NetnsCluster cluster, String name) {
        return cluster.worker(name).orElseThrow(() -> new AssertionError("no worker " + name));
    }

    private static TransferCounters transfers(NetnsCluster cluster, String name) {
        return status(cluster, name).load().transfers();
    }
}
