package io.partita.benchmarks;

import static io.partita.benchmarks.DataPlaneTasks.MIB;
import static io.partita.benchmarks.DataPlaneTasks.TASK_TIMEOUT;
import static io.partita.benchmarks.DataPlaneTasks.awaitDone;
import static io.partita.benchmarks.DataPlaneTasks.column;
import static io.partita.benchmarks.DataPlaneTasks.latency;
import static io.partita.benchmarks.DataPlaneTasks.logs;
import static io.partita.benchmarks.Stats.median;
import static io.partita.benchmarks.DataPlaneTasks.transferPath;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.partita.client.Client;
import io.partita.client.SubmitOptions;
import io.partita.client.TaskFuture;
import io.partita.common.data.Partition;
import io.partita.common.protocol.WorkerStatus;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The cross-host runs of {@link DataPlaneBenchmark} ({@code --netns-hosts}): on hosts in network namespaces, per link
 * delay, a hand-over a -> b by the bulk path and by Flight only (per round, the consumer's latency on b minus the
 * same consumer's on a) and a gather of a table held by a to the client, beside Dask with its scheduler, workers and
 * client on the same hosts.
 */
final class CrossHostRuns {
    private final Path partitaHome;
    private final String workerJavaOpts;
    private final Path shmRoot;
    private final int sizeMib;
    private final int repeats;
    private final List<Integer> delaysMs;
    private final String python;
    private final boolean skipPartita;
    private final boolean skipDask;
    private final java.util.Set<String> benches;

    CrossHostRuns(DataPlaneBenchmark options) {
        this.partitaHome = options.partitaHome;
        this.workerJavaOpts = options.workerJavaOpts;
        this.shmRoot = options.shmRoot;
        this.sizeMib = options.sizeMib;
        this.repeats = options.repeats;
        this.delaysMs = options.delaysMs;
        this.python = options.python;
        this.skipPartita = options.skipPartita;
        this.skipDask = options.skipDask;
        this.benches = options.benches;
    }

    /** Per-round seconds of a cross-host run: hand-over differences (remote - local) and gathers to the client. */
    record CrossRun(long bytes, List<Double> differences, List<Double> gathers) {}

    void run(BenchHosts hosts) throws Exception {
        List<String> table = new ArrayList<>();
        for (int delay : delaysMs) {
            try {
                hosts.delay(delay);
            } catch (IOException | RuntimeException e) {
                System.out.printf("cross-host runs with a %d ms delay: NOT RUN: %s%n", delay, e.getMessage());
                table.add(String.format("| (all) | %d ms | not run: %s | | |", delay, e.getMessage().lines().findFirst().orElse("")));
                continue;
            }
            CrossRun bulk = skipPartita || !benches.contains("bulk") ? null : crossPartita(hosts, "bulk", true, delay);
            CrossRun flight = skipPartita || !benches.contains("flight") ? null : crossPartita(hosts, "flight", false, delay);
            JsonNode dask = skipDask ? null : crossDask(hosts, delay);
            List<Double> daskDiffs = new ArrayList<>();
            List<Double> daskGathers = new ArrayList<>();
            if (dask != null) {
                dask.at("/remote/handover_differences_s").forEach(v -> daskDiffs.add(v.asDouble()));
                dask.at("/remote/gather_times_s").forEach(v -> daskGathers.add(v.asDouble()));
            }
            long bytes = sizeMib * MIB;
            table.add(crossRow("hand-over a -> b, bulk path", delay, bulk == null ? null : bulk.differences(), daskDiffs, bytes));
            table.add(crossRow("hand-over a -> b, Flight only", delay, flight == null ? null : flight.differences(), daskDiffs, bytes));
            table.add(crossRow("gather to the client (bulk cluster)", delay, bulk == null ? null : bulk.gathers(), daskGathers, bytes));
        }
        try {
            hosts.delay(0);
        } catch (IOException | RuntimeException ignored) {
            // nothing was set
        }
        System.out.println();
        System.out.printf("Cross-host, %d MiB, hosts in network namespaces (client, scheduler, worker a, worker b), %d rounds "
                + "after a warm-up; rate of the median (min-max over rounds); hand-overs from per-round (remote - local)%n", sizeMib, repeats);
        System.out.println("| benchmark | delay | Partita | Dask 2022.12 (compression off) | ratio of medians |");
        System.out.println("| --- | ---: | ---: | ---: | ---: |");
        table.forEach(System.out::println);
    }

    private static String crossRow(String name, int delay, List<Double> partita, List<Double> dask, long bytes) {
        String p = rate(partita, bytes);
        String d = rate(dask, bytes);
        String ratio = partita == null || partita.isEmpty() || dask.isEmpty() ? "-"
                : String.format(Locale.ROOT, "%.2fx", median(dask) / median(partita));
        return String.format(Locale.ROOT, "| %s | %d ms | %s | %s | %s |", name, delay, p, d, ratio);
    }

    /** "G GB/s (lo-hi)" from seconds per round. */
    private static String rate(List<Double> seconds, long bytes) {
        if (seconds == null || seconds.isEmpty()) {
            return "not run";
        }
        List<Double> sorted = seconds.stream().sorted().toList();
        return String.format(Locale.ROOT, "%.2f GB/s (%.2f-%.2f)", bytes / median(sorted) / 1e9,
                bytes / sorted.getLast() / 1e9, bytes / sorted.getFirst() / 1e9);
    }

    private CrossRun crossPartita(BenchHosts hosts, String transfer, boolean gather, int delay) throws Exception {
        int n = Math.toIntExact(sizeMib * MIB / Long.BYTES);
        long expected = (long) n * (n - 1) / 2;
        List<Double> differences = new ArrayList<>();
        List<Double> gathers = new ArrayList<>();
        try (ClusterLaunch cluster = new ClusterLaunch(partitaHome, 2, new ClusterLaunch.WorkerSpec("0", true, workerJavaOpts, 1,
                shmRoot, List.of("--peer-transfer", transfer)), List.of(), logs("x" + transfer + "-" + delay + "ms"), hosts);
             Client client = cluster.connect()) {
            List<WorkerStatus> ws = ClusterLaunch.byName(client);
            SubmitOptions onA = SubmitOptions.defaults().workers(List.of(ws.get(0).info().name()));
            SubmitOptions onB = SubmitOptions.defaults().workers(List.of(ws.get(1).info().name()));
            System.out.printf("Partita cross-host %s, %d ms delay: scheduler at %s, workers %s at %s, %s at %s%n", transfer, delay,
                    cluster.address, ws.get(0).info().name(), ws.get(0).info().flightUri(), ws.get(1).info().name(), ws.get(1).info().flightUri());
            for (int r = 0; r <= repeats; r++) {
                TaskFuture<Partition> x = client.submitWith(onA, (io.partita.common.fn.Fn0<Partition>) () -> column(0, n));
                awaitDone(x);
                double local = latency(client, onA, x, expected);
                double remote = latency(client, onB, x, expected);
                double g = Double.NaN;
                if (gather) {
                    TaskFuture<Partition> y = client.submitWith(onA, (io.partita.common.fn.Fn0<Partition>) () -> column(0, n));
                    awaitDone(y);
                    long t0 = System.nanoTime();
                    try (Partition got = y.result(TASK_TIMEOUT)) {
                        g = (System.nanoTime() - t0) / 1e9;
                        if (got.rowCount() != n) {
                            throw new IllegalStateException("gathered " + got.rowCount() + " rows, expected " + n);
                        }
                    }
                    y.release();
                }
                System.out.printf(Locale.ROOT, "  round %d: local %.1f ms, remote %.1f ms%s%n", r, local * 1e3, remote * 1e3,
                        gather ? String.format(Locale.ROOT, ", gather %.1f ms", g * 1e3) : "");
                if (r > 0) {
                    differences.add(remote - local);
                    if (gather) {
                        gathers.add(g);
                    }
                }
                x.release();
                Thread.sleep(300); // let the release reach the workers (segments unlinked)
            }
            Thread.sleep(1_500);
            System.out.println("  " + transferPath(ClusterLaunch.byName(client).get(1).load()));
        }
        return new CrossRun(sizeMib * MIB, differences, gathers);
    }

    private JsonNode crossDask(BenchHosts hosts, int delay) throws Exception {
        Path logDir = logs("xdask-" + delay + "ms");
        try (DaskLaunch dask = new DaskLaunch(hosts, 2, logDir)) {
            System.out.printf("Dask cross-host, %d ms delay: scheduler at %s%n", delay, dask.address);
            ProcessBuilder b = new ProcessBuilder(python, "benchmarks/dask/dataplane.py", "--scheduler", dask.address,
                    "--workers", "a,b", "--size-mib", "" + sizeMib, "--repeats", "" + repeats)
                    .redirectError(ProcessBuilder.Redirect.appendTo(logDir.resolve("dask-client.log").toFile()));
            b.environment().put("DASK_DISTRIBUTED__COMM__COMPRESSION", "None");
            Process p = b.start();
            String out = new String(p.getInputStream().readAllBytes());
            if (p.waitFor() != 0) {
                System.out.printf("Dask cross-host, %d ms delay: FAILED (exit %d); see %s%n", delay, p.exitValue(), logDir);
                return null;
            }
            JsonNode result = new ObjectMapper().readTree(out.lines().reduce((x, y) -> y).orElse("{}"));
            System.out.printf("  Dask %s: %s%n", result.path("version").asText(), result.path("remote").path("handover_s"));
            return result;
        }
    }
}
