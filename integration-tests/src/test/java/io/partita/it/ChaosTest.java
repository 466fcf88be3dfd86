package io.partita.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.partita.client.Client;
import io.partita.client.Delayed;
import io.partita.client.TaskFuture;
import io.partita.common.protocol.WorkerStatus;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Graphs of mixed shapes while a driver kills a random worker every few seconds (and starts a new one) and kills the
 * active scheduler twice (three schedulers run). Every graph must complete with the right result: 0 wrong, 0 lost.
 *
 * <p>CI runs a short version (40 graphs). The full one, 200 graphs in at most 10 minutes:
 * {@code ./mvnw -pl integration-tests verify -Dtest=ChaosTest -Dpartita.chaos.graphs=200}.
 */
@Timeout(value = 15, unit = TimeUnit.MINUTES)
class ChaosTest {
    private static final int GRAPHS = Integer.getInteger("partita.chaos.graphs", 40);
    private static final Duration KILL_EVERY = Duration.ofMillis(Long.getLong("partita.chaos.kill-every-ms", 3_000));
    private static final Duration LIMIT = Duration.ofMinutes(10);
    private static final int WORKERS = 3;
    private static final int IN_FLIGHT = 6;

    @TempDir
    Path runs;

    /** One graph to compute: its shape, the future of its result and the result it must have. */
    private record Job(String shape, TaskFuture<Long> result, long expected) {}

    @Test
    void everyGraphCompletesCorrectlyWhileWorkersAndSchedulersAreKilled() throws Exception {
        Random random = new Random(42);
        try (ClusterProcesses cluster = ClusterProcesses.scheduler("chaos", null)) {
            cluster.addStandby();
            cluster.addStandby();
            for (int i = 0; i < WORKERS; i++) {
                cluster.addWorker(2, "--no-nanny");
            }
            cluster.awaitWorkers(WORKERS);
            List<ClusterProcesses.Scheduler> schedulers = cluster.schedulers();

            AtomicInteger completed = new AtomicInteger();
            AtomicInteger wrong = new AtomicInteger();
            AtomicInteger lost = new AtomicInteger();
            List<String> problems = java.util.Collections.synchronizedList(new ArrayList<>());
            long started = System.nanoTime();
            int workerKills = 0;
            int schedulerKills = 0;
            try (Client client = Client.connect(cluster.address());
                 ExecutorService submitters = Executors.newFixedThreadPool(IN_FLIGHT)) {
                List<Future<?>> graphs = new ArrayList<>();
                for (int g = 0; g < GRAPHS; g++) {
                    int graph = g;
                    long seed = random.nextLong();
                    graphs.add(submitters.submit(() -> {
                        Job job = build(client, graph, new Random(seed), runs.toString());
                        try {
                            long got = job.result().result(Duration.ofMinutes(5));
                            if (got == job.expected()) {
                                completed.incrementAndGet();
                            } else {
                                wrong.incrementAndGet();
                                problems.add("graph " + graph + " (" + job.shape() + "): " + got + " instead of " + job.expected());
                            }
                        } catch (RuntimeException e) {
                            lost.incrementAndGet();
                            problems.add("graph " + graph + " (" + job.shape() + ") lost: " + e);
                        } finally {
                            job.result().release();
                        }
                    }));
                }

                // the driver: a worker every KILL_EVERY, the active scheduler at a third and at two thirds of the graphs
                long nextKill = System.nanoTime() + KILL_EVERY.toNanos();
                while (graphs.stream().anyMatch(f -> !f.isDone())) {
                    if (System.nanoTime() - started > LIMIT.toNanos()) {
                        problems.add(graphs.stream().filter(f -> !f.isDone()).count() + " graphs unfinished after "
                                + LIMIT.toMinutes() + " minutes");
                        break;
                    }
                    int done = completed.get() + wrong.get() + lost.get();
                    if (schedulerKills < 2 && done >= GRAPHS * (schedulerKills + 1) / 3) {
                        ClusterProcesses.Scheduler active = cluster.active().orElse(null);
                        if (active != null) {
                            active.process().destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                            schedulerKills++;
                            System.out.printf("chaos: killed the active scheduler (%s) after %d graphs%n", active.address(), done);
                        }
                    } else if (System.nanoTime() > nextKill) {
                        // a kill only once the previous victim's replacement has joined: the cluster keeps working
                        List<WorkerStatus> live = cluster.workerStatus();
                        if (live.size() >= WORKERS) {
                            WorkerStatus victim = live.get(random.nextInt(live.size()));
                            ProcessHandle.of(victim.info().pid()).ifPresent(p -> {
                                p.destroyForcibly();
                                p.onExit().orTimeout(10, TimeUnit.SECONDS).join();
                            });
                            cluster.addWorker(2, "--no-nanny");
                            workerKills++;
                        }
                        nextKill = System.nanoTime() + KILL_EVERY.toNanos();
                    }
                    Thread.sleep(100); // the driver's pace
                }
                // the last replacement has cleared its dead predecessors' segments once it registered
                cluster.waitUntil("the last replacement worker registered", Duration.ofSeconds(90),
                        () -> cluster.workerStatus().size() >= WORKERS);
                for (Future<?> f : graphs) {
                    if (f.isDone()) {
                        f.get();
                    } else {
                        f.cancel(true);
                    }
                }
            }
            long recomputed = recomputed();
            System.out.printf("chaos: %d graphs completed, %d wrong, %d lost, %d tasks recomputed; %d workers and %d "
                            + "schedulers killed, %.0f s%n", completed.get(), wrong.get(), lost.get(), recomputed,
                    workerKills, schedulerKills, (System.nanoTime() - started) / 1e9);
            assertThat(problems).isEmpty();
            assertThat(completed.get()).isEqualTo(GRAPHS);
            assertThat(schedulerKills).isEqualTo(2);
            assertThat(cluster.active()).contains(schedulers.getLast());
        }
    }

    /** A graph of one of four shapes with a known result; each task records its runs under {@code dir}. */
    private static Job build(Client client, int graph, Random r, String dir) {
        String id = "g" + graph;
        return switch (graph % 4) {
            case 0 -> { // map and one sum over all of it
                int n = 20 + r.nextInt(180);
                List<Delayed<Long>> leaves = leaves(id, n, dir);
                yield new Job("map-sum", client.compute(Delayed.of((List<Long> xs) -> ran(dir, id + "-sum",
                        xs.stream().mapToLong(Long::longValue).sum()), leaves)), (long) n * (n - 1) / 2);
            }
            case 1 -> { // pairwise tree reduction
                int n = 64 + r.nextInt(192);
                List<Delayed<Long>> level = leaves(id, n, dir);
                int round = 0;
                while (level.size() > 1) {
                    List<Delayed<Long>> next = new ArrayList<>();
                    for (int i = 0; i + 1 < level.size(); i += 2) {
                        String name = id + "-t" + round + "-" + i;
                        next.add(Delayed.of((Long a, Long b) -> ran(dir, name, a + b), level.get(i), level.get(i + 1)));
                    }
                    if (level.size() % 2 == 1) {
                        next.add(level.getLast());
                    }
                    level = next;
                    round++;
                }
                yield new Job("tree", client.compute(level.getFirst()), (long) n * (n - 1) / 2);
            }
            case 2 -> { // a chain of increments
                int n = 20 + r.nextInt(40);
                Delayed<Long> last = Delayed.of(() -> ran(dir, id + "-c0", 0L));
                for (int i = 1; i < n; i++) {
                    String name = id + "-c" + i;
                    last = Delayed.of((Long x) -> {
                        Thread.sleep(5);
                        return ran(dir, name, x + 1);
                    }, last);
                }
                yield new Job("chain", client.compute(last), n - 1);
            }
            default -> { // all-to-all: each output reads every input, then a sum
                int m = 8 + r.nextInt(16);
                int k = 8 + r.nextInt(16);
                List<Delayed<Long>> inputs = leaves(id, m, dir);
                List<Delayed<Long>> outputs = new ArrayList<>();
                for (int j = 0; j < k; j++) {
                    long weight = j + 1;
                    String name = id + "-o" + j;
                    outputs.add(Delayed.of((List<Long> xs) -> ran(dir, name,
                            weight * xs.stream().mapToLong(Long::longValue).sum()), inputs));
                }
                long inputSum = (long) m * (m - 1) / 2;
                yield new Job("shuffle", client.compute(Delayed.of((List<Long> xs) -> ran(dir, id + "-sum",
                        xs.stream().mapToLong(Long::longValue).sum()), outputs)), inputSum * k * (k + 1) / 2);
            }
        };
    }

    /** Leaves 0..n-1, each sleeping 5 to 20 ms. */
    private static List<Delayed<Long>> leaves(String id, int n, String dir) {
        List<Delayed<Long>> leaves = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            String name = id + "-l" + i;
            long value = i;
            leaves.add(Delayed.of(() -> {
                Thread.sleep(5 + value % 16);
                return ran(dir, name, value);
            }));
        }
        return leaves;
    }

    /** Records one run of task {@code name} (a line in its own file), so that recomputations can be counted. */
    private static long ran(String dir, String name, long value) throws IOException {
        Files.writeString(Path.of(dir, name), "run\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        return value;
    }

    private long recomputed() throws IOException {
        long n = 0;
        try (Stream<Path> files = Files.list(runs)) {
            for (Path p : files.toList()) {
                n += Files.readAllLines(p).size() - 1;
            }
        }
        return n;
    }
}
