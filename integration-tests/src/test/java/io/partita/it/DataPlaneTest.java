package io.partita.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.partita.client.Client;
import io.partita.client.SubmitOptions;
import io.partita.client.TaskFuture;
import io.partita.common.data.Partition;
import io.partita.common.fn.Fn0;
import io.partita.common.fn.Fn1;
import io.partita.common.protocol.WorkerInfo;
import io.partita.common.protocol.WorkerLoad.TransferCounters;
import io.partita.common.protocol.WorkerStatus;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * Arrow tables between real worker processes: w1 and w2 share a host (and so their segments), w3 claims another
 * host id, so that both paths, shared segment and Flight, are exercised on one machine.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(240)
class DataPlaneTest {
    private ClusterProcesses cluster;
    private Client client;

    @BeforeAll
    void start() throws IOException {
        cluster = ClusterProcesses.scheduler("dataplane", null);
        cluster.addWorker(1);
        cluster.addWorker(1);
        cluster.addWorker(1, "--host-id", "another-host");
        cluster.addWorker(1, "--host-id", "a-third-host", "--peer-transfer", "flight");
        cluster.awaitWorkers(4);
        client = Client.connect(cluster.address());
    }

    @AfterAll
    void stop() throws IOException {
        if (client != null) {
            client.close();
        }
        if (cluster != null) {
            cluster.close();
            // Each worker stopped cleanly with zero outstanding Arrow memory.
            for (int i = 1; i <= 4; i++) {
                assertThat(Files.readString(cluster.logs().resolve("worker-" + i + ".log")))
                        .contains("worker stopped with no Arrow memory outstanding");
            }
        }
        // (close() also checked that nothing of ours stayed in the shared-memory folder.)
    }

    private WorkerStatus worker(String name) {
        return cluster.workerStatus().stream().filter(w -> w.info().name().equals(name)).findFirst().orElseThrow();
    }

    private TransferCounters transfers(String name) {
        return worker(name).load().transfers();
    }

    private TaskFuture<Partition> produceOn(String worker, long first) {
        return client.submitWith(SubmitOptions.defaults().workers(List.of(worker)),
                (Fn0<Partition>) () -> Tables.longs(first, 1_000_000));
    }

    private TaskFuture<Tables.Placement> probeOn(String worker, TaskFuture<Partition> input, long newValue) {
        return client.submitWith(SubmitOptions.defaults().workers(List.of(worker)),
                (Fn1<Partition, Tables.Placement>) p -> Tables.probeAndOverwrite(p, newValue), input);
    }

    @Test
    void aNeighbourOnTheSameHostReadsTheSegmentInPlaceWithoutACopy() {
        WorkerInfo producer = worker("w1").info();
        long segmentsBefore = transfers("w2").segmentInCount();
        long flightBefore = transfers("w2").flightInCount();

        Tables.Placement seen = probeOn("w2", produceOn("w1", 7), 4242).result(Duration.ofSeconds(60));

        // The consumer's Arrow buffer is the producer's segment file, mapped: the value the test wrote into the
        // file's pages after the task got its input shows through the consumer's vector.
        assertThat(seen.mappedFile()).startsWith(producer.segmentDir());
        assertThat(seen.before()).isEqualTo(7);
        assertThat(seen.after()).isEqualTo(4242);
        cluster.waitUntil("w2 to count a segment transfer", Duration.ofSeconds(10),
                () -> transfers("w2").segmentInCount() > segmentsBefore);
        assertThat(transfers("w2").flightInCount()).isEqualTo(flightBefore);
    }

    @Test
    void aWorkerOnAnotherHostPullsTheSegmentFileOverTheBulkPath() {
        WorkerInfo producer = worker("w1").info();
        WorkerInfo consumer = worker("w3").info();
        long bulkBefore = transfers("w3").bulkInCount();
        long flightBefore = transfers("w3").flightInCount();
        long sentBefore = transfers("w1").bulkOutBytes();

        Tables.Placement seen = probeOn("w3", produceOn("w1", 11), 99).result(Duration.ofSeconds(60));

        // the consumer reads its own segment: the producer's file, received whole over the network
        assertThat(seen.before()).isEqualTo(11);
        assertThat(seen.mappedFile()).startsWith(consumer.segmentDir()).doesNotStartWith(producer.segmentDir());
        cluster.waitUntil("w3 to count a bulk transfer", Duration.ofSeconds(10),
                () -> transfers("w3").bulkInCount() > bulkBefore);
        cluster.waitUntil("w1 to count the bytes it sent", Duration.ofSeconds(10),
                () -> transfers("w1").bulkOutBytes() - sentBefore >= 8_000_000);
        assertThat(transfers("w3").flightInCount()).isEqualTo(flightBefore);
        // the 8 MB fetch was timed: w3 publishes its measured bandwidth, which the scheduler's placement uses
        cluster.waitUntil("w3 to publish its measured bandwidth", Duration.ofSeconds(10),
                () -> transfers("w3").fetchBytesPerSecond() > 0);
    }

    @Test
    void manyTablesCrossToAnotherHostAtOnceOverTheBulkPath() {
        long bulkBefore = transfers("w3").bulkInCount();
        List<TaskFuture<Partition>> tables = new java.util.ArrayList<>();
        for (int i = 0; i < 12; i++) {
            tables.add(produceOn("w1", 1_000_000L * i));
        }
        // one consumer per table, sent together: w3 pulls the tables one after another, or several at once when the
        // consumers arrive in separate batches; every pull reuses the puller's receive buffers
        List<TaskFuture<Long>> sums = tables.stream().map(t -> client.<Long>submitWith(
                SubmitOptions.defaults().workers(List.of("w3")), (Fn1<Partition, Long>) Tables::sum, t)).toList();
        for (int i = 0; i < sums.size(); i++) {
            long first = 1_000_000L * i;
            assertThat(sums.get(i).result(Duration.ofSeconds(60))).isEqualTo(1_000_000L * first + 999_999L * 1_000_000L / 2);
        }
        cluster.waitUntil("w3 to count 12 bulk transfers", Duration.ofSeconds(10),
                () -> transfers("w3").bulkInCount() >= bulkBefore + 12);
        tables.forEach(TaskFuture::release);
    }

    @Test
    void aFlightOnlyWorkerOnAnotherHostFetchesOverFlight() {
        WorkerInfo producer = worker("w1").info();
        long flightBefore = transfers("w4").flightInCount();

        Tables.Placement seen = probeOn("w4", produceOn("w1", 13), 99).result(Duration.ofSeconds(60));

        assertThat(seen.before()).isEqualTo(13);
        assertThat(seen.mappedFile()).startsWith(worker("w4").info().segmentDir());
        cluster.waitUntil("w4 to count a Flight transfer", Duration.ofSeconds(10),
                () -> transfers("w4").flightInCount() > flightBefore);
        assertThat(transfers("w4").bulkInCount()).isZero();
        cluster.waitUntil("w4 to publish its measured bandwidth", Duration.ofSeconds(10),
                () -> transfers("w4").fetchBytesPerSecond() > 0);
    }

    @Test
    void scatterAndGatherATableOfTenMixedColumnsWithNulls() {
        try (Partition table = Tables.mixed(client.allocator(), 3, 1000)) {
            TaskFuture<Partition> scattered = client.scatter(table);
            try (Partition back = scattered.result()) {
                assertThat(Tables.sameContents(back, table)).as("gathered table equals the scattered one").isTrue();
            }
            TaskFuture<Long> rows = client.submit((Partition p) -> p.rowCount(), scattered);
            assertThat(rows.result()).isEqualTo(3000L);
            TaskFuture<Partition> firstColumnOnly = client.submit((Partition p) -> Tables.longs(0, (int) p.rowCount()), scattered);
            try (Partition back = firstColumnOnly.result()) {
                assertThat(back.rowCount()).isEqualTo(3000);
            }
        }
        assertThat(client.submit((String s) -> s + "!", client.scatter("hello")).result()).isEqualTo("hello!");
        assertThat(client.allocator().getAllocatedMemory()).isZero();
    }
}
