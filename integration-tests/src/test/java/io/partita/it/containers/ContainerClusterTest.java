package io.partita.it.containers;

import static org.assertj.core.api.Assertions.assertThat;

import io.partita.client.Client;
import io.partita.client.SubmitOptions;
import io.partita.client.TaskFuture;
import io.partita.common.data.Partition;
import io.partita.common.fn.Fn0;
import io.partita.common.fn.Fn1;
import io.partita.common.protocol.WorkerLoad.TransferCounters;
import io.partita.it.HeldData;
import io.partita.it.Tables;
import io.partita.it.Trees;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.testcontainers.junit.jupiter.Testcontainers;

/**
 * The image (docker/Dockerfile) for real: a scheduler and worker containers on the host's network, computations from
 * the Java client on the host. A worker container killed with SIGKILL loses no computation; one stopped with
 * {@code docker stop} (SIGTERM) hands its keys over instead of having them computed again; two worker containers
 * set up to share memory (w1 joins w3's IPC namespace and host id) hand tables over through /dev/shm. One cluster
 * of three workers serves every test (starting containers is the slow part), in this order: the tests that need
 * w1 run before the one that kills it. Skipped, saying so, where no Docker engine answers.
 */
@Testcontainers(disabledWithoutDocker = true)
@Timeout(600)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ContainerClusterTest {
    private static final int ROWS = 1 << 20; // 8 MiB tables
    private static String image;
    private static ContainerCluster cluster;
    private static Client client;

    @BeforeAll
    static void startCluster() throws Exception {
        image = PartitaImage.build();
        cluster = ContainerCluster.start(image, "containers", 3);
        client = Client.connect(cluster.address());
    }

    @AfterAll
    static void stopCluster() {
        try {
            if (client != null) {
                client.close();
            }
            if (cluster != null) {
                cluster.close();
            }
        } finally {
            PartitaImage.remove(image);
        }
    }

    @Test
    @Order(1)
    void theImageRunsAsNonRootAndReadsTheContainersMemoryLimit() throws Exception {
        assertThat(cluster.scheduler().execInContainer("id", "-u").getStdout().strip()).isEqualTo("10001");
        // every worker runs with --memory-limit auto: its limit is the container's (cgroup), not the machine's
        assertThat(cluster.workerStatus()).extracting(w -> w.info().memoryLimit()).containsOnly(ContainerCluster.MEMORY_LIMIT);
    }

    @Test
    @Order(3)
    void workerContainersSharingIpcAndHostIdHandTablesOverThroughSharedMemory() {
        TaskFuture<Partition> table = client.submitWith(SubmitOptions.defaults().workers(List.of("w3")),
                (Fn0<Partition>) () -> Tables.longs(0, ROWS));
        TransferCounters before = transfers("w1");

        long sum = client.<Long>submitWith(SubmitOptions.defaults().workers(List.of("w1")), (Fn1<Partition, Long>) Tables::sum, table)
                .result(Duration.ofMinutes(1));

        assertThat(sum).isEqualTo((long) ROWS * (ROWS - 1) / 2);
        cluster.waitUntil("w1 to count the table it mapped from w3's segment", Duration.ofSeconds(10),
                () -> transfers("w1").segmentInBytes() - before.segmentInBytes() >= 8L * ROWS);
        // not over Flight (a load published late may still count a few bytes an earlier test moved)
        assertThat(transfers("w1").flightInBytes() - before.flightInBytes()).isLessThan(8L * ROWS);
    }

    @Test
    @Order(4)
    void aWorkerContainerKilledWithSigkillLosesNoComputation() {
        // 64 leaves of 100 ms each on single-threaded workers, then a tree over them
        List<TaskFuture<Long>> leaves = client.map((Integer x) -> {
            Thread.sleep(100);
            return (long) x;
        }, IntStream.range(0, 64).boxed().toList());
        TaskFuture<Long> total = Trees.pairwiseSum(client, leaves);
        cluster.waitUntil("w1 to hold results and a quarter of the leaves to finish", Duration.ofSeconds(60),
                () -> leaves.stream().filter(TaskFuture::isDone).count() >= 16 && storedKeys("w1") > 0);

        cluster.kill("w1"); // docker kill: every process of the container, at once

        assertThat(total.result(Duration.ofMinutes(2))).isEqualTo(63L * 64 / 2);
        assertThat(cluster.running("w1")).isFalse();
        cluster.waitUntil("the killed worker to leave the cluster", Duration.ofSeconds(30), () -> !registered("w1"));
    }

    @Test
    @Order(2)
    void aWorkerContainerStoppedWithSigtermHandsItsKeysOver() throws Exception {
        // on w2: 10 values and 4 tables, all held by the client
        List<TaskFuture<?>> data = HeldData.submitOn(client, "w2");
        cluster.waitUntil("w2's data to be computed", Duration.ofSeconds(60), () -> data.stream().allMatch(f -> {
            assertThat(f.state()).isNotEqualTo(Future.State.FAILED);
            return f.state() == Future.State.SUCCESS;
        }));
        long finished = cluster.health().path("tasksFinished").asLong();

        cluster.stop("w2"); // docker stop: SIGTERM through tini to the nanny, which passes it to its worker

        assertThat(cluster.running("w2")).isFalse();
        cluster.waitUntil("the stopped worker to leave the cluster", Duration.ofSeconds(30), () -> !registered("w2"));
        assertThat(HeldData.total(client, data)).isEqualTo(HeldData.expected());
        // only the 4 table sums and the total ran: nothing w2 held was computed again
        assertThat(cluster.health().path("tasksFinished").asLong() - finished).isEqualTo(5);
        assertThat(cluster.logs("w2")).contains("handing this worker's keys over").contains("retired:");
    }

    private static boolean registered(String worker) {
        return cluster.workerStatus().stream().anyMatch(w -> w.info().name().equals(worker));
    }

    private static TransferCounters transfers(String worker) {
        return cluster.workerStatus().stream().filter(w -> w.info().name().equals(worker)).findFirst()
                .orElseThrow(() -> new AssertionError(worker + " is not registered")).load().transfers();
    }

    private static long storedKeys(String worker) {
        return cluster.workerStatus().stream().filter(w -> w.info().name().equals(worker))
                .mapToLong(w -> w.load().storedKeys()).sum();
    }

}
