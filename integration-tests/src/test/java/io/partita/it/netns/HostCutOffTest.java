package io.partita.it.netns;

import static org.assertj.core.api.Assertions.assertThat;

import io.partita.common.protocol.WorkerStatus;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A worker's host cut off (its link down, as an unplugged cable: silence, no reset) in the middle of a graph: the
 * scheduler, hearing no load from it, declares it lost after its worker timeout, recomputes what it held, and the
 * graph completes with the right result. The link back up: the worker reconnects with its old identity, the scheduler,
 * which declared it lost, tells it to restart, and its nanny starts a fresh worker of the same name that joins cleanly.
 */
@Timeout(300)
class HostCutOffTest {
    private static final int LEAVES = 64;

    @Test
    void aWorkerCutOffMidGraphIsReplacedAndRejoinsWhenItsLinkComesBack() throws Exception {
        try (NetnsCluster cluster = NetnsCluster.create("host-cut-off", 5)) {
            NetnsCluster.Scheduler scheduler = cluster.startScheduler(cluster.host(1));
            cluster.startWorker(cluster.host(2), "victim");
            cluster.startWorker(cluster.host(3), "w3");
            cluster.startWorker(cluster.host(4), "w4");
            cluster.awaitWorkers("victim", "w3", "w4");
            String victimId = cluster.worker("victim").orElseThrow().info().workerId();

            // 64 leaves of 200 ms on three one-thread workers (about 4 s), then a tree of sums over them
            NetnsCluster.ClientRun client = cluster.client(cluster.host(5), "tree", cluster.address(), "tree",
                    Integer.toString(LEAVES), "200");
            cluster.waitUntil("a quarter of the leaves to finish", Duration.ofSeconds(120), () -> {
                assertThat(client.process.isAlive()).as("client running: %s", client.output()).isTrue();
                return cluster.health(scheduler).orElseThrow().path("tasksFinished").asLong() >= LEAVES / 4;
            });
            cluster.waitUntil("the victim to hold results", Duration.ofSeconds(20),
                    () -> cluster.worker("victim").map(w -> w.load().storedKeys() > 0).orElse(false));

            cluster.net.linkDown(cluster.host(2));
            long cut = System.nanoTime();
            cluster.waitUntil("the scheduler to drop the cut-off worker", Duration.ofSeconds(30),
                    () -> cluster.workerStatus().stream().noneMatch(w -> w.info().workerId().equals(victimId)));
            Duration noticed = Duration.ofNanos(System.nanoTime() - cut);
            // the scheduler's worker timeout is 10 s (--worker-timeout), checked every second; allow for a loaded machine
            assertThat(noticed).isGreaterThan(Duration.ofSeconds(9)).isLessThan(Duration.ofSeconds(20));

            client.awaitSuccess(Duration.ofSeconds(180));
            assertThat(client.result("total")).isEqualTo(Long.toString((long) LEAVES * (LEAVES - 1) / 2));
            assertThat(client.result("after")).isEqualTo("still up");

            cluster.net.linkUp(cluster.host(2));
            long back = System.nanoTime();
            cluster.waitUntil("a fresh worker on the reconnected host to be registered", Duration.ofSeconds(90), () -> {
                Optional<WorkerStatus> w = cluster.worker("victim");
                return w.isPresent() && w.get().load() != null && !w.get().info().workerId().equals(victimId);
            });
            WorkerStatus again = cluster.worker("victim").orElseThrow();
            System.out.printf("host cut off: dropped %d ms after the cut; registered again %d ms after the link came "
                            + "back, as %s (was %s)%n", noticed.toMillis(), Duration.ofNanos(System.nanoTime() - back).toMillis(),
                    again.info().workerId(), victimId);
            assertThat(cluster.workerStatus()).hasSize(3);
            assertThat(java.nio.file.Files.readString(cluster.logs().resolve("worker-victim.log")))
                    .contains("will not take this worker back")
                    .contains("; restarting ("); // the nanny's line
            NetnsCluster.ClientRun hello = cluster.client(cluster.host(5), "hello", cluster.address(), "hello");
            hello.awaitSuccess(Duration.ofSeconds(90));
            assertThat(hello.result("hello")).isEqualTo("still up");
        }
    }
}
