package io.partita.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.partita.client.Client;
import io.partita.client.TaskFuture;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.IntStream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Tasks per second of Partita and Dask distributed, in one invocation on this machine: 2 worker processes x 1 thread
 * each on loopback; N independent no-op tasks (map + gather) and a pairwise tree reduction over L leaves. The
 * client's submit time is counted. Dask is measured with its default configuration and with worker-saturation inf;
 * the better of the two is Dask's figure.
 */
@Command(name = "throughput-benchmark", mixinStandardHelpOptions = true,
        description = "Tasks per second, Partita beside Dask distributed (2 workers x 1 thread, loopback).")
public final class ThroughputBenchmark implements Callable<Integer> {
    @Option(names = "--tasks", defaultValue = "20000", description = "Independent no-op tasks (default: ${DEFAULT-VALUE}).")
    int tasks;

    @Option(names = "--leaves", defaultValue = "10000", description = "Leaves of the tree reduction (default: ${DEFAULT-VALUE}).")
    int leaves;

    @Option(names = "--repeats", defaultValue = "3", description = "Measured runs; the best is reported (default: ${DEFAULT-VALUE}).")
    int repeats;

    @Option(names = "--partita-home", defaultValue = ".", description = "Folder holding bin/partita (default: the current one).")
    Path partitaHome;

    @Option(names = "--python", defaultValue = "/usr/bin/python3", description = "Python with dask.distributed (default: ${DEFAULT-VALUE}).")
    String python;

    @Option(names = "--skip-dask", description = "Measure Partita only.")
    boolean skipDask;

    @Override
    public Integer call() throws Exception {
        double[] partita = measurePartita();
        System.out.printf(Locale.ROOT, "Partita: %,.0f no-op tasks/s, %,.0f tree tasks/s%n", partita[0], partita[1]);
        if (skipDask) {
            return 0;
        }
        JsonNode dask = measureDask();
        double daskNoop = Math.max(dask.at("/default/noop_tasks_per_s").asDouble(), dask.at("/inf/noop_tasks_per_s").asDouble());
        double daskTree = Math.max(dask.at("/default/tree_tasks_per_s").asDouble(), dask.at("/inf/tree_tasks_per_s").asDouble());
        System.out.printf(Locale.ROOT, "Dask %s: default %,.0f / %,.0f, worker-saturation inf %,.0f / %,.0f (no-op / tree tasks/s)%n",
                dask.path("version").asText(), dask.at("/default/noop_tasks_per_s").asDouble(), dask.at("/default/tree_tasks_per_s").asDouble(),
                dask.at("/inf/noop_tasks_per_s").asDouble(), dask.at("/inf/tree_tasks_per_s").asDouble());
        System.out.println();
        System.out.println("| workload | Partita tasks/s | Dask best tasks/s | ratio |");
        System.out.println("| --- | ---: | ---: | ---: |");
        System.out.printf(Locale.ROOT, "| %,d no-op tasks | %,.0f | %,.0f | %.1fx |%n", tasks, partita[0], daskNoop, partita[0] / daskNoop);
        System.out.printf(Locale.ROOT, "| tree reduction, %,d leaves | %,.0f | %,.0f | %.1fx |%n", leaves, partita[1], daskTree, partita[1] / daskTree);
        return 0;
    }

    private double[] measurePartita() throws Exception {
        try (ClusterLaunch cluster = new ClusterLaunch(partitaHome, 2, new ClusterLaunch.WorkerSpec("0", false, "", 1), List.of(),
                Path.of("benchmarks/target/bench-logs/throughput"));
             Client client = cluster.connect()) {
            for (int i = 0; i < 3; i++) { // warm-up: JIT on every side
                noop(client, 5_000);
                tree(client, 2_000);
            }
            double bestNoop = Double.MAX_VALUE;
            double bestTree = Double.MAX_VALUE;
            for (int r = 0; r < repeats; r++) {
                bestNoop = Math.min(bestNoop, noop(client, tasks));
                bestTree = Math.min(bestTree, tree(client, leaves));
            }
            return new double[] {tasks / bestNoop, (2.0 * leaves - 1) / bestTree};
        }
    }

    /** Seconds to submit {@code n} no-op tasks and gather their results. */
    private static double noop(Client client, int n) {
        long start = System.nanoTime();
        List<TaskFuture<Integer>> futures = client.map((Integer x) -> x, IntStream.range(0, n).boxed().toList());
        List<Integer> results = client.gather(futures);
        double seconds = (System.nanoTime() - start) / 1e9;
        if (results.size() != n || results.get(n - 1) != n - 1) {
            throw new IllegalStateException("wrong no-op results");
        }
        return seconds;
    }

    /** Seconds to submit and compute a pairwise tree reduction over {@code n} leaves. */
    private static double tree(Client client, int n) {
        long start = System.nanoTime();
        List<TaskFuture<Long>> level = new ArrayList<>(client.map((Integer x) -> (long) x, IntStream.range(0, n).boxed().toList()));
        while (level.size() > 1) {
            List<TaskFuture<Long>> next = new ArrayList<>();
            for (int i = 0; i < level.size(); i += 2) {
                next.add(i + 1 < level.size() ? client.submit((Long a, Long b) -> a + b, level.get(i), level.get(i + 1)) : level.get(i));
            }
            level = next;
        }
        long total = level.getFirst().result();
        double seconds = (System.nanoTime() - start) / 1e9;
        if (total != (long) n * (n - 1) / 2) {
            throw new IllegalStateException("wrong tree result " + total);
        }
        return seconds;
    }

    private JsonNode measureDask() throws Exception {
        Process p = new ProcessBuilder(python, "benchmarks/dask/throughput.py", "--tasks", "" + tasks, "--leaves", "" + leaves,
                "--repeats", "" + repeats).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) {
            throw new IllegalStateException("the Dask benchmark failed (exit " + p.exitValue()
                    + "): is python3-distributed installed? run benchmarks/run-throughput.sh");
        }
        return new ObjectMapper().readTree(out.lines().reduce((a, b) -> b).orElse("{}"));
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new ThroughputBenchmark()).execute(args));
    }
}
