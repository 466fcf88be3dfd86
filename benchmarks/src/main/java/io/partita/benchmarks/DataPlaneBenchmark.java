package io.partita.benchmarks;

import static io.partita.benchmarks.DataPlaneTasks.MIB;
import static io.partita.benchmarks.DataPlaneTasks.awaitDone;
import static io.partita.benchmarks.DataPlaneTasks.column;
import static io.partita.benchmarks.DataPlaneTasks.latency;
import static io.partita.benchmarks.DataPlaneTasks.logs;
import static io.partita.benchmarks.Stats.median;
import static io.partita.benchmarks.Stats.msSpread;
import static io.partita.benchmarks.DataPlaneTasks.sumCount;
import static io.partita.benchmarks.DataPlaneTasks.transferPath;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.partita.client.Client;
import io.partita.client.SubmitOptions;
import io.partita.client.TaskFuture;
import io.partita.common.data.Partition;
import io.partita.common.protocol.WorkerLoad;
import io.partita.common.protocol.WorkerStatus;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.IntStream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Data-plane benchmarks of Partita beside Dask distributed, in one invocation on this machine (2 worker processes
 * x 1 thread, loopback). Each prints Partita's figure, Dask's figure and the ratio.
 *
 * <ul>
 *   <li>{@code handover}: a 256 MiB table (one BigInt column, 32M rows) produced by a task pinned to worker a and
 *       summed by a task pinned to worker b, both workers with the same host id (shared segments). The hand-over
 *       time is the median over {@code --repeats} rounds (after a warm-up round) of the paired difference: the
 *       submit-to-result latency of the consumer on b minus the same on a, where the input is already local; a
 *       fresh table each round; no rate when that median is not positive.</li>
 *   <li>{@code bulk}: the same with the workers given different {@code --host-id}s, so the table moves over the
 *       network, by the bulk path between workers (the holder's segment file over HTTP, sendfile); compared with
 *       Dask's figure from {@code handover}.</li>
 *   <li>{@code flight}: the same as {@code bulk} with {@code --peer-transfer flight}: Arrow Flight DoGet only.</li>
 *   <li>{@code larger}: 2 workers with {@code --memory-limit 512MiB} each persist 4 GiB of partitions (64 x 64 MiB,
 *       values = the global row numbers) and compute an exact sum and count, checked against the closed form.
 *       Wall time and peak worker memory (VmRSS - RssShmem + segment files, every 100 ms) for both.</li>
 * </ul>
 */
@Command(name = "dataplane-benchmark", mixinStandardHelpOptions = true,
        description = "Data-plane benchmarks, Partita beside Dask distributed (2 workers x 1 thread, loopback).")
public final class DataPlaneBenchmark implements Callable<Integer> {

    @Option(names = "--bench", split = ",", defaultValue = "handover,bulk,flight,larger",
            description = "Benchmarks to run, comma-separated: handover, bulk, flight, larger (default: ${DEFAULT-VALUE}); "
                    + "with --netns-hosts, bulk (with the gather to the client) and flight pick the cross-host runs.")
    Set<String> benches;

    @Option(names = "--size-mib", defaultValue = "256", description = "Size of the handed-over table (default: ${DEFAULT-VALUE}).")
    int sizeMib;

    @Option(names = "--repeats", defaultValue = "10", description = "Measured hand-over rounds; the median of the paired differences is reported (default: ${DEFAULT-VALUE}).")
    int repeats;

    @Option(names = "--total-mib", defaultValue = "4096", description = "Data persisted by 'larger' (default: ${DEFAULT-VALUE}).")
    int totalMib;

    @Option(names = "--partition-mib", defaultValue = "64", description = "Partition size of 'larger' (default: ${DEFAULT-VALUE}).")
    int partitionMib;

    @Option(names = "--memory-limit", defaultValue = "512MiB", description = "Worker memory limit of 'larger' (default: ${DEFAULT-VALUE}).")
    String memoryLimit;

    @Option(names = "--worker-java-opts", defaultValue = "",
            description = "PARTITA_JAVA_OPTS of the Partita workers, e.g. -Xmx256m (default: none).")
    String workerJavaOpts;

    @Option(names = "--compare-java-opts", defaultValue = "",
            description = "For handover/bulk/flight: start a third worker c (its own host id) with these extra JVM options "
                    + "(e.g. -Dpartita.store.spare-bytes=0) and measure the consumer on b and on c in every round, "
                    + "alternating which goes first; reports both and the median of the paired differences c - b.")
    String compareJavaOpts;

    @Option(names = "--netns-hosts", description = "Cross-host runs instead: hosts as 'namespace=address,...' of the "
            + "test-network fixture (run-dataplane.sh --netns makes them and runs this JVM on the first host): the "
            + "scheduler on the second, workers a and b on the third and fourth; bulk, Flight and a gather to the client, "
            + "beside Dask with its scheduler and workers on the same hosts.")
    String netnsHosts;

    @Option(names = "--netns-fixture", defaultValue = "", description = "The id of the test-network fixture that made the hosts (for delays).")
    String netnsFixture;

    @Option(names = "--delays-ms", split = ",", defaultValue = "0,1",
            description = "Cross-host runs: one-way link delays to measure with (tc netem), in turn (default: ${DEFAULT-VALUE}).")
    List<Integer> delaysMs;

    @Option(names = "--shm-root", defaultValue = "/dev/shm",
            description = "Where the workers' segment folders go (--shm-dir is a new folder in it), e.g. a tmpfs mounted "
                    + "with huge=within_size (default: ${DEFAULT-VALUE}).")
    Path shmRoot;

    @Option(names = "--partita-home", defaultValue = ".", description = "Folder holding bin/ (default: the current one).")
    Path partitaHome;

    @Option(names = "--python", defaultValue = "/usr/bin/python3", description = "Python with dask.distributed (default: ${DEFAULT-VALUE}).")
    String python;

    @Option(names = "--skip-dask", description = "Measure Partita only.")
    boolean skipDask;

    @Option(names = "--skip-partita", description = "Measure Dask only (through benchmarks/dask/dataplane.py).")
    boolean skipPartita;

    private final Map<String, String> rows = new LinkedHashMap<>();

    @Override
    public Integer call() throws Exception {
        for (String b : benches) {
            if (!HANDOVERS.contains(b) && !b.equals("larger")) {
                throw new CommandLine.ParameterException(new CommandLine(this), "unknown benchmark " + b);
            }
        }
        if (netnsHosts != null && !netnsHosts.isBlank()) {
            new CrossHostRuns(this).run(BenchHosts.netns(netnsHosts, netnsFixture));
            return 0;
        }
        Map<String, Object> partita = new LinkedHashMap<>();
        if (!skipPartita) {
            for (String b : List.of("handover", "bulk", "flight", "larger")) {
                if (!benches.contains(b)) {
                    continue;
                }
                try {
                    partita.put(b, b.equals("larger") ? larger() : handover(b));
                } catch (Exception | Error e) {
                    System.out.printf("Partita %s: FAILED: %s%n", b, e);
                    e.printStackTrace(System.err);
                    partita.put(b, e);
                }
            }
        }
        JsonNode dask = skipDask ? null : measureDask();
        report(partita, dask);
        return 0;
    }

    /** Per-round latencies and paired differences (remote - local) of one hand-over benchmark. */
    record Handover(String name, long bytes, List<Double> locals, List<Double> remotes, String path,
                    List<Double> differences, List<Double> compareDifferences, List<Double> paired) {
        /** The hand-over time: the median of the paired differences. */
        double seconds() {
            return median(differences);
        }

        /** NaN when the remote consumer was not slower than the local one at the median: nothing to measure. */
        double bytesPerSecond() {
            return seconds() > 0 ? bytes / seconds() : Double.NaN;
        }
    }

    private static final List<String> HANDOVERS = List.of("handover", "bulk", "flight");

    /** @param name handover (same host), bulk or flight (different host ids, each peer-transfer setting) */
    private Handover handover(String name) throws Exception {
        int n = Math.toIntExact(sizeMib * MIB / Long.BYTES);
        long expected = (long) n * (n - 1) / 2;
        boolean otherHost = !name.equals("handover");
        boolean compare = !compareJavaOpts.isBlank();
        try (ClusterLaunch cluster = new ClusterLaunch(partitaHome, compare ? 3 : 2, new ClusterLaunch.WorkerSpec("0", otherHost,
                workerJavaOpts, 1, shmRoot, List.of("--peer-transfer", name.equals("flight") ? "flight" : "bulk"),
                compare ? Map.of("c", compareJavaOpts) : Map.of()), List.of(), logs(name));
             Client client = cluster.connect()) {
            List<WorkerStatus> ws = ClusterLaunch.byName(client);
            String a = ws.get(0).info().name();
            String b = ws.get(1).info().name();
            System.out.printf("Partita %s: workers %s (host id %s) and %s (host id %s)%n", name, a, ws.get(0).info().hostId(),
                    b, ws.get(1).info().hostId());
            SubmitOptions onA = SubmitOptions.defaults().workers(List.of(a));
            SubmitOptions onB = SubmitOptions.defaults().workers(List.of(b));
            SubmitOptions onC = compare ? SubmitOptions.defaults().workers(List.of(ws.get(2).info().name())) : null;
            if (compare) {
                System.out.printf("Partita %s: worker c (host id %s) has the extra JVM options: %s%n", name,
                        ws.get(2).info().hostId(), compareJavaOpts);
            }
            List<Double> locals = new ArrayList<>();
            List<Double> remotes = new ArrayList<>();
            List<Double> differences = new ArrayList<>();
            List<Double> compareDifferences = new ArrayList<>();
            List<Double> paired = new ArrayList<>();
            for (int r = 0; r <= repeats; r++) { // round 0 is the warm-up
                TaskFuture<Partition> x = client.submitWith(onA, (io.partita.common.fn.Fn0<Partition>) () -> column(0, n));
                awaitDone(x);
                double local = latency(client, onA, x, expected);
                double other = Double.NaN;
                if (compare && r % 2 == 1) { // alternate which of b and c fetches first
                    other = latency(client, onC, x, expected);
                }
                double remote = latency(client, onB, x, expected);
                if (compare && r % 2 == 0) {
                    other = latency(client, onC, x, expected);
                }
                System.out.printf(Locale.ROOT, "  round %d: consumer on %s (local) %.1f ms, on %s (remote) %.1f ms%s%n",
                        r, a, local * 1e3, b, remote * 1e3, compare ? String.format(Locale.ROOT, ", on c (remote, compared) %.1f ms", other * 1e3) : "");
                if (r > 0) {
                    locals.add(local);
                    remotes.add(remote);
                    differences.add(remote - local);
                    if (compare) {
                        compareDifferences.add(other - local);
                        paired.add(other - remote);
                    }
                }
                x.release();
                Thread.sleep(300); // let the release reach the workers (segments unlinked)
            }
            Thread.sleep(1_500); // worker loads are published about once a second
            String path = transferPath(ClusterLaunch.byName(client).get(1).load());
            return new Handover(name, (long) n * Long.BYTES, locals, remotes, path, differences, compareDifferences, paired);
        }
    }

    record Larger(boolean finished, boolean correct, double wallSeconds, double persistSeconds, long peakWorker,
                  long peakTotal, long peakRss, long peakAnon, long peakFile, String notes) {}

    private Larger larger() throws Exception {
        int rowsPerPartition = Math.toIntExact(partitionMib * MIB / Long.BYTES);
        int count = totalMib / partitionMib;
        long n = (long) rowsPerPartition * count;
        try (ClusterLaunch cluster = new ClusterLaunch(partitaHome, 2,
                new ClusterLaunch.WorkerSpec(memoryLimit, false, workerJavaOpts, 1, shmRoot, List.of()), List.of(), logs("larger"));
             Client client = cluster.connect()) {
            List<WorkerStatus> before = ClusterLaunch.byName(client);
            List<MemorySampler.Target> targets = new ArrayList<>();
            for (WorkerStatus w : before) {
                targets.add(new MemorySampler.Target(w.info().pid(),
                        w.info().segmentDir().isEmpty() ? null : Path.of(w.info().segmentDir())));
            }
            System.out.printf("Partita larger: %d partitions of %d MiB on workers with --memory-limit %s (limits %s)%n", count,
                    partitionMib, memoryLimit, before.stream().map(w -> w.info().name() + "=" + w.info().memoryLimit() / MIB + "MiB").toList());
            long start = System.nanoTime();
            double persisted = 0;
            try (MemorySampler sampler = new MemorySampler(targets)) {
                boolean finished = false;
                boolean correct = false;
                String notes;
                try {
                    List<TaskFuture<Partition>> parts = client.map((Integer i) -> column((long) i * rowsPerPartition, rowsPerPartition),
                            IntStream.range(0, count).boxed().toList());
                    for (TaskFuture<Partition> p : parts) {
                        awaitDone(p, cluster::allAlive);
                    }
                    persisted = (System.nanoTime() - start) / 1e9;
                    List<TaskFuture<long[]>> partials = new ArrayList<>();
                    for (TaskFuture<Partition> part : parts) {
                        partials.add(client.submit((Partition x) -> sumCount(x), part));
                    }
                    TaskFuture<long[]> combined = client.submit((List<long[]> xs) -> {
                        long s = 0;
                        long c = 0;
                        for (long[] x : xs) {
                            s += x[0];
                            c += x[1];
                        }
                        return new long[] {s, c};
                    }, partials);
                    long[] total = combined.result(Duration.ofMinutes(15));
                    finished = true;
                    correct = total[0] == n * (n - 1) / 2 && total[1] == n;
                    notes = String.format(Locale.ROOT, "sum %d, count %d (%s)", total[0], total[1], correct ? "correct" : "WRONG");
                    parts.forEach(TaskFuture::release);
                    partials.forEach(TaskFuture::release);
                } catch (RuntimeException e) {
                    notes = "did not finish: " + e;
                    e.printStackTrace(System.err);
                }
                double wall = (System.nanoTime() - start) / 1e9;
                sampler.close();
                Thread.sleep(1_500);
                List<WorkerStatus> after = ClusterLaunch.byName(client);
                StringBuilder more = new StringBuilder(notes);
                for (WorkerStatus w : after) {
                    WorkerLoad l = w.load();
                    if (l != null) {
                        more.append(String.format(Locale.ROOT, "; %s: %d spills (%,d MiB), %d reads back (%,d MiB)", w.info().name(),
                                l.transfers().spillCount(), l.transfers().spilledBytes() / MIB, l.transfers().unspillCount(),
                                l.transfers().unspilledBytes() / MIB));
                    }
                }
                boolean samePids = after.size() == before.size() && after.stream().allMatch(w -> before.stream()
                        .anyMatch(o -> o.info().pid() == w.info().pid()));
                more.append(samePids && cluster.allAlive() ? "; no worker restarted" : "; A WORKER WAS RESTARTED OR DIED");
                return new Larger(finished, correct, wall, persisted, sampler.peakWorker, sampler.peakTotal, sampler.peakRss,
                        sampler.peakAnon, sampler.peakFile, more.toString());
            }
        }
    }

    // ---------------------------------------------------------------- Dask and the report

    private JsonNode measureDask() throws Exception {
        List<String> daskBenches = new ArrayList<>();
        if (benches.stream().anyMatch(HANDOVERS::contains)) {
            daskBenches.add("handover");
        }
        if (benches.contains("larger")) {
            daskBenches.add("larger");
        }
        Process p = new ProcessBuilder(python, "benchmarks/dask/dataplane.py", "--bench", String.join(",", daskBenches),
                "--size-mib", "" + sizeMib, "--repeats", "" + repeats, "--total-mib", "" + totalMib, "--partition-mib",
                "" + partitionMib, "--memory-limit", memoryLimit)
                .redirectError(ProcessBuilder.Redirect.appendTo(logs("dask").resolve("dask.log").toFile())).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) {
            throw new IllegalStateException("the Dask benchmark failed (exit " + p.exitValue() + "); see "
                    + logs("dask").resolve("dask.log") + "; is python3-distributed installed? run benchmarks/run-dataplane.sh");
        }
        return new ObjectMapper().readTree(out.lines().reduce((a, b) -> b).orElse("{}"));
    }

    private void report(Map<String, Object> partita, JsonNode dask) {
        JsonNode daskBest = dask == null ? null : dask.at("/handover/bytes_per_s");
        double daskRate = daskBest != null && daskBest.isNumber() ? daskBest.asDouble() : Double.NaN;
        if (dask != null) {
            System.out.printf("Dask %s%n", dask.path("version").asText());
            for (JsonNode run : dask.path("handover_runs")) {
                System.out.printf(Locale.ROOT, "  Dask hand-over, compression %s: local %s, remote %s, remote - local %s -> %s%n",
                        run.path("compression").asText(), msSpread(run.path("local_s")), msSpread(run.path("remote_s")),
                        msSpread(run.path("differences_s")), run.path("bytes_per_s").isNumber()
                                ? String.format(Locale.ROOT, "%.2f GB/s", run.path("bytes_per_s").asDouble() / 1e9)
                                : "no rate (remote not slower than local)");
            }
        }
        System.out.println();
        System.out.println("| benchmark | Partita | Dask | ratio |");
        System.out.println("| --- | ---: | ---: | ---: |");
        for (String b : HANDOVERS) {
            if (!benches.contains(b)) {
                continue;
            }
            Object v = partita.get(b);
            String label = sizeMib + " MiB hand-over, " + switch (b) {
                case "handover" -> "same host (segments)";
                case "bulk" -> "other host (bulk path)";
                default -> "other host, Flight only";
            };
            String p = v instanceof Handover h ? (Double.isNaN(h.bytesPerSecond()) ? "no rate (remote not slower than local)"
                    : String.format(Locale.ROOT, "%.2f GB/s (%.1f ms)", h.bytesPerSecond() / 1e9, h.seconds() * 1e3))
                    : v == null ? "not run" : "failed";
            String d = Double.isNaN(daskRate) ? "not run" : String.format(Locale.ROOT, "%.2f GB/s (%.1f ms)", daskRate / 1e9,
                    dask.at("/handover/handover_s").asDouble() * 1e3);
            String ratio = v instanceof Handover h && !Double.isNaN(daskRate) && !Double.isNaN(h.bytesPerSecond()) ? String.format(Locale.ROOT, "%.1fx", h.bytesPerSecond() / daskRate) : "-";
            System.out.printf("| %s | %s | %s | %s |%n", label, p, d, ratio);
        }
        if (benches.contains("larger")) {
            Object v = partita.get("larger");
            String p = v instanceof Larger l ? String.format(Locale.ROOT, "%s %.1f s, peak worker %,d MiB", l.finished() && l.correct() ? "" : "(NOT OK)",
                    l.wallSeconds(), l.peakWorker() / MIB).strip() : v == null ? "not run" : "failed";
            JsonNode dl = dask == null ? null : dask.path("larger");
            String d = dl == null ? "not run" : String.format(Locale.ROOT, "%s %.1f s, peak worker %,d MiB",
                    dl.path("finished").asBoolean() && dl.path("correct").asBoolean() ? "" : "(NOT OK)",
                    dl.path("wall_s").asDouble(Double.NaN), dl.path("peak_rss_per_worker").asLong() / MIB).strip();
            String ratio = v instanceof Larger l && dl != null ? String.format(Locale.ROOT, "%.1fx faster, %.2fx the memory",
                    dl.path("wall_s").asDouble() / l.wallSeconds(), (double) l.peakWorker() / dl.path("peak_rss_per_worker").asLong()) : "-";
            System.out.printf("| %d MiB in %d MiB partitions, 2 workers x %s | %s | %s | %s |%n", totalMib, partitionMib, memoryLimit, p, d, ratio);
        }
        System.out.println();
        for (Object v : partita.values()) {
            if (v instanceof Handover h) {
                System.out.printf(Locale.ROOT, "Partita hand-over (%s): local %s, remote %s, remote - local on b %s; %s%n",
                        h.name(), msSpread(h.locals()), msSpread(h.remotes()), msSpread(h.differences()), h.path());
                if (!h.compareDifferences().isEmpty()) {
                    System.out.printf(Locale.ROOT, "  remote - local on c (%s): %s -> %.2f GB/s at the median; paired c - b: %s%n",
                            compareJavaOpts, msSpread(h.compareDifferences()), h.bytes() / median(h.compareDifferences()) / 1e9,
                            msSpread(h.paired()));
                }
            } else if (v instanceof Larger l) {
                System.out.printf(Locale.ROOT, "Partita larger: persist %.1f s, wall %.1f s, peak worker %,d MiB (peak VmRSS %,d MiB, "
                        + "RssAnon %,d MiB, RssFile %,d MiB), peak sum over workers %,d MiB; %s%n", l.persistSeconds(),
                        l.wallSeconds(), l.peakWorker() / MIB, l.peakRss() / MIB, l.peakAnon() / MIB, l.peakFile() / MIB, l.peakTotal() / MIB, l.notes());
            }
        }
        if (dask != null && dask.has("larger")) {
            JsonNode dl = dask.path("larger");
            System.out.printf(Locale.ROOT, "Dask larger: %s%n", dl.toString());
        }
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new DataPlaneBenchmark()).execute(args));
    }
}
