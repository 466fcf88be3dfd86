package io.partita.it.netns;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The active scheduler (h1) and its standby (h2, {@code --join 10.77.X.1:5701}) on hosts of their own, workers on h3
 * and h4, the client on h5, all given both scheduler addresses. The active one is killed (SIGKILL) in the middle of a
 * graph: the standby takes over across the network, the workers and the client move to it, and the graph completes
 * with the right result.
 */
@Timeout(300)
class StandbyOnAnotherHostTest {
    private static final int LEAVES = 128;

    @Test
    void theStandbyOnAnotherHostTakesOverWhenTheActiveSchedulerIsKilled() throws Exception {
        try (NetnsCluster cluster = NetnsCluster.create("standby-other-host", 5)) {
            NetnsCluster.Scheduler first = cluster.startScheduler(cluster.host(1));
            NetnsCluster.Scheduler standby = cluster.startScheduler(cluster.host(2));
            cluster.waitUntil("the second scheduler to stand by", Duration.ofSeconds(60),
                    () -> cluster.health(standby).map(h -> "standby".equals(h.path("role").asText())).orElse(false));
            assertThat(cluster.active()).contains(first);
            cluster.startWorker(cluster.host(3), "w3");
            cluster.startWorker(cluster.host(4), "w4");
            cluster.awaitWorkers("w3", "w4");

            // 128 leaves of 100 ms on two one-thread workers (about 6.4 s), then a tree of sums
            NetnsCluster.ClientRun client = cluster.client(cluster.host(5), "tree", cluster.address(), "tree",
                    Integer.toString(LEAVES), "100");
            cluster.waitUntil("a quarter of the leaves to finish", Duration.ofSeconds(120), () -> {
                assertThat(client.process.isAlive()).as("client running: %s", client.output()).isTrue();
                return cluster.health(first).map(h -> h.path("tasksFinished").asLong()).orElse(0L) >= LEAVES / 4;
            });

            first.process().destroyForcibly();
            long killed = System.nanoTime();
            cluster.waitUntil("the standby on h2 to become active", Duration.ofSeconds(30),
                    () -> cluster.active().filter(standby::equals).isPresent());
            Duration takeOver = Duration.ofNanos(System.nanoTime() - killed);
            assertThat(takeOver).isLessThan(Duration.ofSeconds(15));

            client.awaitSuccess(Duration.ofSeconds(180));
            assertThat(client.result("total")).isEqualTo(Long.toString((long) LEAVES * (LEAVES - 1) / 2));
            assertThat(client.result("after")).isEqualTo("still up");
            cluster.waitUntil("both workers registered with the standby", Duration.ofSeconds(60),
                    () -> cluster.health(standby).map(h -> h.path("workers").asInt()).orElse(0) == 2);
            System.out.printf("standby on another host: active %d ms after SIGKILL%n", takeOver.toMillis());
        }
    }
}
