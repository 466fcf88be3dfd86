package io.partita.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.partita.client.Client;
import io.partita.client.ClientOptions;
import io.partita.client.Delayed;
import io.partita.client.TaskFuture;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two schedulers ({@code --join}); the active one is killed with SIGKILL in the middle of a 5,000-task graph: the
 * standby takes over, the workers and the client reconnect by themselves, the graph completes with the correct
 * result, and results the workers held are found instead of recomputed.
 */
@Timeout(300)
class FailoverTest {
    private static final int LEAVES = 2_500;

    @TempDir
    Path runs;

    @Test
    void standbyTakesOverWhenTheActiveSchedulerIsKilled() throws Exception {
        try (ClusterProcesses cluster = ClusterProcesses.scheduler("failover", null)) {
            ClusterProcesses.Scheduler first = cluster.schedulers().getFirst();
            ClusterProcesses.Scheduler standby = cluster.addStandby();
            assertThat(cluster.health(standby).orElseThrow().path("role").asText()).isEqualTo("standby");
            assertThat(cluster.active()).contains(first);
            cluster.addWorker(2);
            cluster.addWorker(2);
            cluster.awaitWorkers(2);

            try (Client client = Client.connect(cluster.address())) {
                // kept before the failover: must be found on the workers afterwards, not run again
                String runDir = runs.toString();
                List<TaskFuture<Long>> kept = client.map((Integer x) -> countedRun(runDir, "kept-" + x, x),
                        java.util.stream.IntStream.range(0, 100).boxed().toList());
                assertThat(client.gather(kept)).hasSize(100);

                // one graph of 2,500 leaves (4 ms each, about 3 s on 4 threads) and the 2,499 sums of a tree over them
                List<Delayed<Long>> level = new ArrayList<>();
                for (int i = 0; i < LEAVES; i++) {
                    level.add(Delayed.of((Integer x) -> {
                        Thread.sleep(4);
                        return countedRun(runDir, "leaf-" + x, x);
                    }, i));
                }
                while (level.size() > 1) {
                    List<Delayed<Long>> next = new ArrayList<>();
                    for (int i = 0; i + 1 < level.size(); i += 2) {
                        next.add(Delayed.of((Long a, Long b) -> a + b, level.get(i), level.get(i + 1)));
                    }
                    if (level.size() % 2 == 1) {
                        next.add(level.getLast());
                    }
                    level = next;
                }
                TaskFuture<Long> total = client.compute(level.getFirst());

                cluster.waitUntil("a third of the leaves to run", Duration.ofSeconds(60), () -> leafRuns() >= LEAVES / 3);
                // a second client given only the standby's address (a Service that reaches a standby): it keeps trying
                CompletableFuture<Client> late = CompletableFuture.supplyAsync(() -> Client.connect(
                        ClientOptions.of(standby.address()).withConnectTimeout(Duration.ofSeconds(60))));
                first.process().destroyForcibly();
                long killed = System.nanoTime();
                cluster.waitUntil("the standby to become active", Duration.ofSeconds(30),
                        () -> cluster.active().filter(standby::equals).isPresent());
                // how fast is for benchmarks/run-failover.sh to say, not a test: printed below, never asserted
                Duration takeOver = Duration.ofNanos(System.nanoTime() - killed);

                assertThat(total.result(Duration.ofSeconds(120))).isEqualTo((long) LEAVES * (LEAVES - 1) / 2);
                var health = cluster.health(standby).orElseThrow();
                assertThat(health.path("workers").asInt()).isEqualTo(2);
                assertThat(health.path("tasksRecovered").asLong()).as("results found on the workers").isPositive();
                assertThat(reruns()).as("tasks run more than once").isZero();
                assertThat(client.gather(kept)).isEqualTo(java.util.stream.LongStream.range(0, 100).boxed().toList());
                assertThat(client.submit(() -> "still up").result(Duration.ofSeconds(30))).isEqualTo("still up");
                try (Client second = late.get(60, TimeUnit.SECONDS)) {
                    assertThat(second.submit(() -> "via the standby").result(Duration.ofSeconds(30))).isEqualTo("via the standby");
                }
                System.out.printf("failover: standby active %d ms after SIGKILL, %d results found on the workers%n",
                        takeOver.toMillis(), health.path("tasksRecovered").asLong());
            }
        }
    }

    /** Records one run of task {@code name} as a line in its own file, so that reruns can be counted. */
    private static long countedRun(String dir, String name, long value) throws java.io.IOException {
        Files.writeString(Path.of(dir, name), "run\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        return value;
    }

    private long leafRuns() {
        try (Stream<Path> files = Files.list(runs)) {
            return files.filter(p -> p.getFileName().toString().startsWith("leaf-")).count();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private long reruns() throws java.io.IOException {
        try (Stream<Path> files = Files.list(runs)) {
            long n = 0;
            for (Path p : files.toList()) {
                n += Files.readAllLines(p).size() - 1;
            }
            return n;
        }
    }
}
