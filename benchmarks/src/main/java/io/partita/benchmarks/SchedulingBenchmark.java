package io.partita.benchmarks;

import static io.partita.benchmarks.Stats.median;
import static io.partita.benchmarks.Stats.rateSpread;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.partita.client.Client;
import io.partita.client.TaskFuture;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The scheduler benchmarks of issue 4, Partita beside Dask distributed in one invocation (2 worker processes on
 * loopback, the scheduler in its own process on both sides):
 *
 * <ul>
 *   <li>{@code uneven}: tasks per second on N sleeping tasks whose durations are skewed by key (every 4th task 20x
 *       longer), with work stealing on and off; also the threads' utilization (time spent in tasks / wall time x
 *       threads); one warm-up, then {@code --repeats} rounds.</li>
 *   <li>{@code memory}: scheduler memory per task: growth of the scheduler process's resident memory from before to
 *       after a graph of M no-op tasks has finished (their futures held, so the scheduler keeps every task), the
 *       before and after of the same round paired; {@code --repeats} rounds, each on a fresh cluster.</li>
 *   <li>{@code million}: a map of 1,000,000 no-op tasks: seconds from the start of submission to the first result,
 *       and to the last; one run (minutes long). Dask runs it under a 10-minute limit.</li>
 * </ul>
 *
 * <p>Figures are medians over the rounds with their spread (min-max); the warm-ups are the same on both sides.
 */
@Command(name = "scheduling-benchmark", mixinStandardHelpOptions = true,
        description = "Scheduler benchmarks (stealing, memory per task, a million tasks), Partita beside Dask distributed.")
public final class SchedulingBenchmark implements Callable<Integer> {
    @Option(names = "--bench", split = ",", defaultValue = "uneven,memory,million",
            description = "Benchmarks to run, comma-separated: uneven, memory, million (default: ${DEFAULT-VALUE}).")
    List<String> benches;

    @Option(names = "--uneven-tasks", defaultValue = "10000", description = "Tasks of 'uneven' (default: ${DEFAULT-VALUE}).")
    int unevenTasks;

    @Option(names = "--short-micros", defaultValue = "1000", description = "Duration of the short tasks of 'uneven' (default: ${DEFAULT-VALUE}).")
    int shortMicros;

    @Option(names = "--threads", defaultValue = "2", description = "Threads per worker in 'uneven' (default: ${DEFAULT-VALUE}).")
    int threads;

    @Option(names = "--memory-tasks", defaultValue = "200000", description = "Tasks of 'memory' (default: ${DEFAULT-VALUE}).")
    int memoryTasks;

    @Option(names = "--million-tasks", defaultValue = "1000000", description = "Tasks of 'million' (default: ${DEFAULT-VALUE}).")
    int millionTasks;

    @Option(names = "--dask-timeout", defaultValue = "600", description = "Seconds Dask may take on 'million' (default: ${DEFAULT-VALUE}).")
    int daskTimeout;

    @Option(names = "--repeats", defaultValue = "3", description = "Measured rounds of 'uneven' and 'memory' per side (each "
            + "'memory' round on a fresh cluster); medians are reported with their min-max. 'million' runs once "
            + "(default: ${DEFAULT-VALUE}).")
    int repeats;

    @Option(names = "--partita-home", defaultValue = ".", description = "Folder holding bin/ (default: the current one).")
    Path partitaHome;

    @Option(names = "--python", defaultValue = "/usr/bin/python3", description = "Python with dask.distributed (default: ${DEFAULT-VALUE}).")
    String python;

    @Option(names = "--skip-dask", description = "Measure Partita only.")
    boolean skipDask;

    /** Every 4th task runs 20x longer: a skew the scheduler cannot see in advance (same task group). */
    static long durationMicros(int i, int shortMicros) {
        return i % 4 == 0 ? 20L * shortMicros : shortMicros;
    }

    @Override
    public Integer call() throws Exception {
        for (String b : benches) {
            if (!Set.of("uneven", "memory", "million").contains(b)) {
                throw new CommandLine.ParameterException(new CommandLine(this), "unknown benchmark '" + b + "'");
            }
        }
        Map<String, Object> partita = new LinkedHashMap<>();
        if (benches.contains("uneven")) {
            partita.put("uneven-on", uneven(true));
            partita.put("uneven-off", uneven(false));
        }
        if (benches.contains("memory")) {
            partita.put("memory", memory());
        }
        if (benches.contains("million")) {
            partita.put("million", million());
        }
        JsonNode dask = skipDask ? null : measureDask();
        report(partita, dask);
        return 0;
    }

    // ---------------------------------------------------------------- uneven durations

    /** Per measured round: tasks per second, utilization, and tasks stolen in that round. */
    record Uneven(List<Double> tasksPerSecond, List<Double> utilization, List<Double> stolen) {}

    private Uneven uneven(boolean stealing) throws Exception {
        String name = "uneven-" + (stealing ? "on" : "off");
        List<String> schedulerArgs = stealing ? List.of() : List.of("--no-work-stealing");
        try (ClusterLaunch cluster = new ClusterLaunch(partitaHome, 2, new ClusterLaunch.WorkerSpec("0", false, "", threads),
                schedulerArgs, logs(name));
             Client client = cluster.connect()) {
            int shortUs = shortMicros;
            runUneven(client, 2_000, shortUs); // warm-up, the same as Dask's
            long busyMicros = IntStream.range(0, unevenTasks).mapToLong(i -> durationMicros(i, shortUs)).sum();
            List<Double> rates = new ArrayList<>();
            List<Double> utilization = new ArrayList<>();
            List<Double> stolen = new ArrayList<>();
            for (int r = 0; r < repeats; r++) {
                long stolenBefore = cluster.health().path("tasksStolen").asLong();
                long start = System.nanoTime();
                List<Long> results = runUneven(client, unevenTasks, shortUs);
                double seconds = (System.nanoTime() - start) / 1e9;
                for (int i = 0; i < unevenTasks; i++) {
                    if (results.get(i) != i) {
                        throw new IllegalStateException("wrong result for task " + i);
                    }
                }
                rates.add(unevenTasks / seconds);
                utilization.add(busyMicros / 1e6 / (seconds * 2 * threads));
                stolen.add((double) (cluster.health().path("tasksStolen").asLong() - stolenBefore));
                System.out.printf(Locale.ROOT, "Partita uneven, stealing %s, round %d: %.2f s, %,.0f tasks/s, utilization %.0f%%%n",
                        stealing ? "on" : "off", r + 1, seconds, unevenTasks / seconds, utilization.getLast() * 100);
            }
            return new Uneven(rates, utilization, stolen);
        }
    }

    private static List<Long> runUneven(Client client, int n, int shortMicros) {
        List<TaskFuture<Long>> futures = client.map((Integer i) -> {
            Thread.sleep(java.time.Duration.ofNanos(durationMicros(i, shortMicros) * 1_000));
            return (long) i;
        }, IntStream.range(0, n).boxed().toList());
        return client.gather(futures);
    }

    // ---------------------------------------------------------------- scheduler memory per task

    record Memory(long tasks, long rssBefore, long rssAfter, long heapBefore, long heapAfter) {
        double rssPerTask() {
            return (double) (rssAfter - rssBefore) / tasks;
        }

        double heapPerTask() {
            return (double) (heapAfter - heapBefore) / tasks;
        }
    }

    /** One fresh cluster per round: a scheduler's heap and resident memory do not shrink back between rounds. */
    private List<Memory> memory() throws Exception {
        List<Memory> rounds = new ArrayList<>();
        for (int r = 0; r < repeats; r++) {
            rounds.add(memoryRound());
        }
        return rounds;
    }

    private Memory memoryRound() throws Exception {
        try (ClusterLaunch cluster = new ClusterLaunch(partitaHome, 2, new ClusterLaunch.WorkerSpec("0", false, "", 1),
                List.of(), logs("memory"));
             Client client = cluster.connect()) {
            long pid = cluster.schedulerPid();
            client.gather(client.map((Integer x) -> x, IntStream.range(0, 20_000).boxed().toList())); // warm-up, released
            long heapBefore = liveHeap(pid);
            long rssBefore = MemorySampler.rss(pid)[0];
            List<TaskFuture<Integer>> held = client.map((Integer x) -> x, IntStream.range(0, memoryTasks).boxed().toList());
            List<Integer> results = client.gather(held);
            if (results.size() != memoryTasks) {
                throw new IllegalStateException("wrong result count");
            }
            long heapAfter = liveHeap(pid);
            long rssAfter = MemorySampler.rss(pid)[0];
            Memory m = new Memory(memoryTasks, rssBefore, rssAfter, heapBefore, heapAfter);
            System.out.printf(Locale.ROOT, "Partita scheduler memory: RSS %,d -> %,d MiB (%.0f bytes/task), live heap %,d -> %,d MiB (%.0f bytes/task)%n",
                    rssBefore >> 20, rssAfter >> 20, m.rssPerTask(), heapBefore >> 20, heapAfter >> 20, m.heapPerTask());
            held.forEach(TaskFuture::release);
            return m;
        }
    }

    /** Bytes of live objects in the JVM {@code pid} after a full collection ({@code jcmd GC.run}, then {@code GC.heap_info}). */
    private static long liveHeap(long pid) throws Exception {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        run(jcmd.toString(), "" + pid, "GC.run");
        String info = run(jcmd.toString(), "" + pid, "GC.heap_info");
        // "garbage-first heap   total reserved 6291456K, committed 262144K, used 123456K"
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("used (\\d+)K").matcher(info);
        if (!m.find()) {
            throw new IllegalStateException("cannot read the heap use of " + pid + " from: " + info);
        }
        return Long.parseLong(m.group(1)) << 10;
    }

    private static String run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed: " + out);
        }
        return out;
    }

    // ---------------------------------------------------------------- a million tasks

    record Million(long tasks, double submitSeconds, double firstResultSeconds, double totalSeconds) {}

    private Million million() throws Exception {
        try (ClusterLaunch cluster = new ClusterLaunch(partitaHome, 2, new ClusterLaunch.WorkerSpec("0", false, "", 1),
                List.of(), logs("million"));
             Client client = cluster.connect()) {
            client.gather(client.map((Integer x) -> x, IntStream.range(0, 20_000).boxed().toList())); // warm-up
            long start = System.nanoTime();
            // the first chunk on its own, so that its first result can be watched while the rest is being sent
            int firstChunk = Math.min(millionTasks, 50_000);
            List<TaskFuture<Integer>> futures = new ArrayList<>(client.map((Integer x) -> x, IntStream.range(0, firstChunk).boxed().toList()));
            TaskFuture<Integer> firstTask = futures.getFirst();
            java.util.concurrent.CompletableFuture<Double> first = firstTask.toCompletableFuture()
                    .thenApply(v -> (System.nanoTime() - start) / 1e9);
            futures.addAll(client.map((Integer x) -> x, IntStream.range(firstChunk, millionTasks).boxed().toList()));
            double submitted = (System.nanoTime() - start) / 1e9;
            List<Integer> results = client.gather(futures);
            double total = (System.nanoTime() - start) / 1e9;
            if (results.size() != millionTasks || results.get(millionTasks - 1) != millionTasks - 1) {
                throw new IllegalStateException("wrong results");
            }
            double firstSeconds = first.get(1, TimeUnit.MINUTES);
            System.out.printf(Locale.ROOT, "Partita %,d tasks: submitted in %.1f s, first result after %.2f s, all after %.1f s (%,.0f tasks/s)%n",
                    millionTasks, submitted, firstSeconds, total, millionTasks / total);
            return new Million(millionTasks, submitted, firstSeconds, total);
        }
    }

    // ---------------------------------------------------------------- Dask, and the report

    private JsonNode measureDask() throws Exception {
        List<String> command = new ArrayList<>(List.of(python, "benchmarks/dask/scheduling.py", "--bench", String.join(",", benches),
                "--uneven-tasks", "" + unevenTasks, "--short-micros", "" + shortMicros, "--threads", "" + threads,
                "--memory-tasks", "" + memoryTasks, "--million-tasks", "" + millionTasks, "--timeout", "" + daskTimeout,
                "--repeats", "" + repeats));
        Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) {
            throw new IllegalStateException("the Dask benchmark failed (exit " + p.exitValue()
                    + "): is python3-distributed installed? run benchmarks/run-scheduling.sh");
        }
        return new ObjectMapper().readTree(out.lines().reduce((a, b) -> b).orElse("{}"));
    }

    private void report(Map<String, Object> partita, JsonNode dask) {
        System.out.println();
        if (dask != null) {
            System.out.println("Dask " + dask.path("version").asText());
        }
        System.out.println("| benchmark | Partita | Dask | ratio |");
        System.out.println("| --- | ---: | ---: | ---: |");
        for (String mode : List.of("on", "off")) {
            if (partita.get("uneven-" + mode) instanceof Uneven u) {
                JsonNode d = dask == null ? null : dask.path("uneven_" + mode);
                boolean ran = d != null && !d.isMissingNode();
                List<Double> daskRates = ran ? doubles(d.path("tasks_per_s")) : List.of();
                String ds = ran ? String.format(Locale.ROOT, "%s tasks/s (%.0f%% busy)", rateSpread(daskRates),
                        median(doubles(d.path("utilization"))) * 100) : "not run";
                String ratio = ran ? String.format(Locale.ROOT, "%.1fx", median(u.tasksPerSecond()) / median(daskRates)) : "-";
                System.out.printf(Locale.ROOT, "| %,d uneven tasks, 2 workers x %d threads, stealing %s | %s tasks/s (%.0f%% busy, %,.0f stolen) | %s | %s |%n",
                        unevenTasks, threads, mode, rateSpread(u.tasksPerSecond()), median(u.utilization()) * 100,
                        median(u.stolen()), ds, ratio);
            }
        }
        if (partita.get("memory") instanceof List<?> rounds) {
            List<Double> rss = rounds.stream().map(m -> ((Memory) m).rssPerTask()).toList();
            List<Double> heap = rounds.stream().map(m -> ((Memory) m).heapPerTask()).toList();
            JsonNode d = dask == null ? null : dask.path("memory");
            List<Double> daskRss = d == null || d.isMissingNode() ? List.of() : doubles(d.path("rss_bytes_per_task"));
            System.out.printf(Locale.ROOT, "| scheduler memory, %,d tasks held (RSS growth) | %s bytes/task (live heap %s) | %s | %s |%n",
                    memoryTasks, rateSpread(rss), rateSpread(heap),
                    daskRss.isEmpty() ? "not run" : rateSpread(daskRss) + " bytes/task",
                    daskRss.isEmpty() ? "-" : String.format(Locale.ROOT, "%.2fx the memory", median(rss) / median(daskRss)));
        }
        if (partita.get("million") instanceof Million mm) {
            JsonNode d = dask == null ? null : dask.path("million");
            String ds;
            if (d == null || d.isMissingNode()) {
                ds = "not run";
            } else if (!d.path("finished").asBoolean()) {
                ds = String.format(Locale.ROOT, "did not finish within %d s", daskTimeout);
            } else {
                ds = String.format(Locale.ROOT, "first result %.1f s, all %.1f s", d.path("first_result_s").asDouble(), d.path("total_s").asDouble());
            }
            System.out.printf(Locale.ROOT, "| %,d no-op tasks | first result %.2f s, all %.1f s | %s | %s |%n", mm.tasks(),
                    mm.firstResultSeconds(), mm.totalSeconds(), ds, d != null && d.path("finished").asBoolean()
                            ? String.format(Locale.ROOT, "%.1fx faster", d.path("total_s").asDouble() / mm.totalSeconds()) : "-");
        }
    }

    private static List<Double> doubles(JsonNode array) {
        List<Double> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asDouble()));
        return out;
    }

    private static Path logs(String name) {
        return Path.of("benchmarks/target/bench-logs/scheduling-" + name);
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new SchedulingBenchmark()).execute(args));
    }
}
