package io.partita.benchmarks;

import static io.partita.benchmarks.Stats.median;
import static io.partita.benchmarks.Stats.msSpread;

import io.partita.client.Client;
import io.partita.client.Delayed;
import io.partita.client.SubmitOptions;
import io.partita.client.TaskFuture;
import io.partita.common.fn.Fn0;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * How long a scheduler failover takes, as a user sees it: a cluster of an active scheduler, one standby and 2 workers
 * x 2 threads on loopback; a tree reduction over L leaves (each sleeping 2 ms) runs once undisturbed, then again with
 * the active scheduler killed (SIGKILL) once a third of its leaves have finished. Per round (a fresh cluster each):
 * the time from the kill until the standby's {@code /health} says active, until a task submitted right after the kill
 * (with a priority above the graph's) returns its result to the client, and the extra time the graph took (its run with the kill minus its undisturbed
 * run in the same round: a paired difference). Reported as medians with their spread (min-max).
 *
 * <p>No peer: Dask distributed and Ray (without an external Redis) have no scheduler standby, and a Spark standalone
 * master needs ZooKeeper for one; so the figures stand alone.
 */
@Command(name = "failover-benchmark", mixinStandardHelpOptions = true,
        description = "Scheduler failover times: take-over, first result after the kill, graph delay (loopback).")
public final class FailoverBenchmark implements Callable<Integer> {
    private static final Duration POLL = Duration.ofMillis(10);

    @Option(names = "--rounds", defaultValue = "5", description = "Failovers measured, each on a fresh cluster (default: ${DEFAULT-VALUE}).")
    int rounds;

    @Option(names = "--leaves", defaultValue = "3000", description = "Leaves of the tree reduction (default: ${DEFAULT-VALUE}).")
    int leaves;

    @Option(names = "--partita-home", defaultValue = ".", description = "Folder holding bin/ (default: the current one).")
    Path partitaHome;

    /** One round's figures, in seconds from the kill; {@code recovered}: results the standby found on the workers. */
    record Round(double takeOver, double firstResult, double graphDelay, long recovered) {}

    @Override
    public Integer call() throws Exception {
        List<Round> measured = new ArrayList<>();
        for (int r = 0; r < rounds; r++) {
            Round round = round(r);
            measured.add(round);
            System.out.printf(Locale.ROOT, "round %d: standby active after %.0f ms, first result after %.0f ms, "
                            + "graph %.0f ms later than undisturbed, %d results found on the workers%n", r + 1,
                    round.takeOver() * 1e3, round.firstResult() * 1e3, round.graphDelay() * 1e3, round.recovered());
        }
        List<Double> delays = measured.stream().map(Round::graphDelay).toList();
        System.out.println();
        System.out.printf(Locale.ROOT, "| failover (%d rounds, tree over %,d leaves, 2 workers x 2 threads) | median (min-max) |%n",
                rounds, leaves);
        System.out.println("| --- | ---: |");
        System.out.printf(Locale.ROOT, "| kill to standby active | %s |%n", msSpread(measured.stream().map(Round::takeOver).toList()));
        System.out.printf(Locale.ROOT, "| kill to the result of a new task (priority above the graph) | %s |%n",
                msSpread(measured.stream().map(Round::firstResult).toList()));
        System.out.printf(Locale.ROOT, "| graph delay (with the kill minus undisturbed, paired) | %s%s |%n", msSpread(delays),
                median(delays) > 0 ? "" : " (not positive: below the noise of one run)");
        return 0;
    }

    private Round round(int r) throws Exception {
        try (ClusterLaunch cluster = new ClusterLaunch(partitaHome, 2, new ClusterLaunch.WorkerSpec("0", false, "", 2),
                List.of(), Path.of("benchmarks/target/bench-logs/failover-" + (r + 1)), BenchHosts.loopback(), 1);
             Client client = cluster.connect()) {
            ClusterLaunch.SchedulerProcess active = cluster.schedulers().getFirst();
            ClusterLaunch.SchedulerProcess standby = cluster.schedulers().get(1);
            awaitRole(cluster, standby, "standby", Duration.ofSeconds(60));
            tree(client, 500).result(Duration.ofMinutes(2)); // warm-up

            long start = System.nanoTime();
            check(tree(client, leaves).result(Duration.ofMinutes(5)));
            double undisturbed = (System.nanoTime() - start) / 1e9;

            long finishedBefore = cluster.health(active).path("tasksFinished").asLong();
            start = System.nanoTime();
            TaskFuture<Long> total = tree(client, leaves);
            awaitFinished(cluster, active, finishedBefore + leaves / 3, Duration.ofMinutes(2));
            active.process().destroyForcibly();
            long killed = System.nanoTime();
            CompletableFuture<Double> firstResult = CompletableFuture.supplyAsync(() -> {
                // ahead of the graph's remaining tasks, as an interactive request would be
                client.<Integer>submitWith(SubmitOptions.DEFAULTS.priority(100), (Fn0<Integer>) () -> 1).result(Duration.ofMinutes(2));
                return (System.nanoTime() - killed) / 1e9;
            });
            awaitRole(cluster, standby, "active", Duration.ofMinutes(2));
            double takeOver = (System.nanoTime() - killed) / 1e9;
            check(total.result(Duration.ofMinutes(5)));
            double disturbed = (System.nanoTime() - start) / 1e9;
            long recovered = cluster.health(standby).path("tasksRecovered").asLong();
            return new Round(takeOver, firstResult.get(2, TimeUnit.MINUTES), disturbed - undisturbed, recovered);
        }
    }

    private void check(long total) {
        long expected = (long) leaves * (leaves - 1) / 2;
        if (total != expected) {
            throw new IllegalStateException("the tree summed to " + total + " instead of " + expected);
        }
    }

    /** A pairwise tree reduction over leaves 0..n-1, each sleeping 2 ms. */
    private static TaskFuture<Long> tree(Client client, int n) {
        List<Delayed<Long>> level = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            level.add(Delayed.of((Integer x) -> {
                Thread.sleep(2);
                return (long) x;
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
        return client.compute(level.getFirst());
    }

    private static void awaitRole(ClusterLaunch cluster, ClusterLaunch.SchedulerProcess s, String role, Duration limit)
            throws Exception {
        long deadline = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                if (role.equals(cluster.health(s).path("role").asText())) {
                    return;
                }
            } catch (java.io.IOException notListening) {
                // starting, or taking over
            }
            Thread.sleep(POLL.toMillis()); // the poll's pace
        }
        throw new IllegalStateException("scheduler " + s.address() + " was not " + role + " within " + limit.toSeconds() + " s");
    }

    private static void awaitFinished(ClusterLaunch cluster, ClusterLaunch.SchedulerProcess s, long finished, Duration limit)
            throws Exception {
        long deadline = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < deadline) {
            if (cluster.health(s).path("tasksFinished").asLong() >= finished) {
                return;
            }
            Thread.sleep(POLL.toMillis()); // the poll's pace
        }
        throw new IllegalStateException(finished + " tasks were not finished within " + limit.toSeconds() + " s");
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new FailoverBenchmark()).execute(args));
    }
}
