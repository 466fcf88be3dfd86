package io.partita.benchmarks;

import static io.partita.benchmarks.Stats.median;
import static io.partita.benchmarks.Stats.rateSpread;

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
 * client's submit time is counted. Each side has the same warm-up (3 x 5,000 no-ops and a tree over 2,000 leaves),
 * then {@code --repeats} measured rounds, reported as the median rate with its spread (min-max). Dask is measured
 * with its default configuration and with worker-saturation inf; the better median of the two is Dask's figure.
 * With {@code --compare-home}, a second Partita build (an older one) is measured in the same invocation, the same
 * way, so that a change can be held against the build before it.
 */
@Command(name = "throughput-benchmark", mixinStandardHelpOptions = true,
        description = "Tasks per second, Partita beside Dask distributed (2 workers x 1 thread, loopback).")
public final class ThroughputBenchmark implements Callable<Integer> {
    @Option(names = "--tasks", defaultValue = "20000", description = "Independent no-op tasks (default: ${DEFAULT-VALUE}).")
    int tasks;

    @Option(names = "--leaves", defaultValue = "10000", description = "Leaves of the tree reduction (default: ${DEFAULT-VALUE}).")
    int leaves;

    @Option(names = "--repeats", defaultValue = "5", description = "Measured rounds per side; the median is reported with "
            + "its min-max (default: ${DEFAULT-VALUE}).")
    int repeats;

    @Option(names = "--partita-home", defaultValue = ".", description = "Folder holding bin/partita (default: the current one).")
    Path partitaHome;

    @Option(names = "--compare-home", description = "Folder of another Partita build (e.g. a worktree of the previous "
            + "commit, built with ./mvnw -DskipTests package) measured in the same invocation (default: none).")
    Path compareHome;

    @Option(names = "--python", defaultValue = "/usr/bin/python3", description = "Python with dask.distributed (default: ${DEFAULT-VALUE}).")
    String python;

    @Option(names = "--skip-dask", description = "Measure Partita only.")
    boolean skipDask;

    /** Measured rates (tasks per second) of one side, one per round. */
    record Rates(List<Double> noop, List<Double> tree) {
        static Rates of(int tasks, int leaves, List<Double> noopSeconds, List<Double> treeSeconds) {
            return new Rates(noopSeconds.stream().map(s -> tasks / s).toList(),
                    treeSeconds.stream().map(s -> (2.0 * leaves - 1) / s).toList());
        }
    }

    @Override
    public Integer call() throws Exception {
        Rates partita = measurePartita(partitaHome, "throughput");
        System.out.printf(Locale.ROOT, "Partita (%s): %s no-op tasks/s, %s tree tasks/s%n", partitaHome,
                rateSpread(partita.noop()), rateSpread(partita.tree()));
        if (compareHome != null) {
            Rates other = measurePartita(compareHome, "throughput-compare");
            System.out.printf(Locale.ROOT, "Partita (%s): %s no-op tasks/s, %s tree tasks/s%n", compareHome,
                    rateSpread(other.noop()), rateSpread(other.tree()));
            System.out.printf(Locale.ROOT, "%s against %s: no-op %.2fx, tree %.2fx (ratio of medians)%n", partitaHome,
                    compareHome, median(partita.noop()) / median(other.noop()), median(partita.tree()) / median(other.tree()));
        }
        if (skipDask) {
            return 0;
        }
        JsonNode dask = measureDask();
        Rates daskDefault = daskRates(dask.path("default"));
        Rates daskInf = daskRates(dask.path("inf"));
        System.out.printf(Locale.ROOT, "Dask %s: default %s / %s, worker-saturation inf %s / %s (no-op / tree tasks/s)%n",
                dask.path("version").asText(), rateSpread(daskDefault.noop()), rateSpread(daskDefault.tree()),
                rateSpread(daskInf.noop()), rateSpread(daskInf.tree()));
        List<Double> daskNoop = median(daskDefault.noop()) >= median(daskInf.noop()) ? daskDefault.noop() : daskInf.noop();
        List<Double> daskTree = median(daskDefault.tree()) >= median(daskInf.tree()) ? daskDefault.tree() : daskInf.tree();
        System.out.println();
        System.out.println("| workload | Partita tasks/s | Dask (better config) tasks/s | ratio of medians |");
        System.out.println("| --- | ---: | ---: | ---: |");
        System.out.printf(Locale.ROOT, "| %,d no-op tasks | %s | %s | %.1fx |%n", tasks, rateSpread(partita.noop()),
                rateSpread(daskNoop), median(partita.noop()) / median(daskNoop));
        System.out.printf(Locale.ROOT, "| tree reduction, %,d leaves | %s | %s | %.1fx |%n", leaves, rateSpread(partita.tree()),
                rateSpread(daskTree), median(partita.tree()) / median(daskTree));
        return 0;
    }

    private Rates measurePartita(Path home, String logs) throws Exception {
        try (ClusterLaunch cluster = new ClusterLaunch(home, 2, new ClusterLaunch.WorkerSpec("0", false, "", 1), List.of(),
                Path.of("benchmarks/target/bench-logs/" + logs));
             Client client = cluster.connect()) {
            for (int i = 0; i < 3; i++) { // warm-up, the same as Dask's: JIT on every side
                noop(client, 5_000);
                tree(client, 2_000);
            }
            List<Double> noopSeconds = new ArrayList<>();
            List<Double> treeSeconds = new ArrayList<>();
            for (int r = 0; r < repeats; r++) {
                noopSeconds.add(noop(client, tasks));
                treeSeconds.add(tree(client, leaves));
            }
            return Rates.of(tasks, leaves, noopSeconds, treeSeconds);
        }
    }

    private Rates daskRates(JsonNode side) {
        List<Double> noopSeconds = new ArrayList<>();
        List<Double> treeSeconds = new ArrayList<>();
        side.path("noop_s").forEach(n -> noopSeconds.add(n.asDouble()));
        side.path("tree_s").forEach(n -> treeSeconds.add(n.asDouble()));
        return Rates.of(tasks, leaves, noopSeconds, treeSeconds);
    }

    /** Seconds to submit {@code n} no-op tasks and gather their results. */
    static double noop(Client client, int n) {
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
    static double tree(Client client, int n) {
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
