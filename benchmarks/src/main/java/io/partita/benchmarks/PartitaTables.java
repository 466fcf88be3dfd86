package io.partita.benchmarks;

import io.partita.client.Client;
import io.partita.client.Frame;
import io.partita.common.data.Partition;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * Partita's side of the tables benchmark: a scheduler and {@code workers} workers x 1 thread started as processes
 * ({@link ClusterLaunch}), the queries of {@link TablesQueries} computed to the client. The frames over the files
 * are made once, before the warm-up (their metadata read then), as each peer opens its sources once. Memory is the
 * scheduler's and workers' process trees plus their segments; the client (this JVM) is not counted.
 */
final class PartitaTables {
    private PartitaTables() {
    }

    static TablesResult run(Path partitaHome, Path data, SqlQueries sql, int rounds, int workers, String memoryLimit,
                            long partitionBytes, Path logDir) throws Exception {
        Map<String, BiFunction<Frame, Frame, Frame>> queries = TablesQueries.all();
        Map<String, String> checks = new LinkedHashMap<>();
        sql.entries().forEach(e -> checks.put(e.name(), e.check()));
        queries.keySet().retainAll(checks.keySet()); // the benchmark's --queries
        try (ClusterLaunch cluster = new ClusterLaunch(partitaHome, workers,
                new ClusterLaunch.WorkerSpec(memoryLimit, false, "", 1), List.of(), logDir);
             TreeMemory memory = new TreeMemory(cluster::pids, List.of(cluster.shmDir));
             Client client = cluster.connect()) {
            Frame lineitem = client.readParquet(data.resolve("lineitem").toString(), partitionBytes);
            Frame part = client.readParquet(data.resolve("part").toString(), partitionBytes);
            System.out.printf("Partita: lineitem in %d partitions, part in %d; %s%n", lineitem.npartitions(),
                    part.npartitions(), explainFirstStage(queries.values().iterator().next().apply(lineitem, part)));
            Map<String, double[]> answers = new LinkedHashMap<>();
            Map<String, List<Double>> times = new LinkedHashMap<>();
            Map<String, String> errors = new LinkedHashMap<>();
            for (String q : queries.keySet()) { // the warm-up: each query once
                times.put(q, new ArrayList<>());
                try {
                    answers.put(q, once(queries.get(q).apply(lineitem, part), checks.get(q))[0]);
                } catch (RuntimeException e) {
                    errors.put(q, e.getMessage());
                    System.out.println("Partita: " + q + " failed: " + e);
                }
            }
            for (int round = 0; round < rounds; round++) {
                for (String q : queries.keySet()) {
                    if (errors.containsKey(q)) {
                        continue;
                    }
                    long start = System.nanoTime();
                    double[][] r = once(queries.get(q).apply(lineitem, part), checks.get(q));
                    times.get(q).add((System.nanoTime() - start) / 1e9);
                    answers.put(q, r[0]);
                }
            }
            Map<String, TablesResult.Query> out = new LinkedHashMap<>();
            for (String q : queries.keySet()) {
                double[] a = answers.get(q);
                out.put(q, errors.containsKey(q) ? new TablesResult.Query(List.of(), 0, 0, errors.get(q))
                        : new TablesResult.Query(times.get(q), (long) a[0], a[1], null));
            }
            if (!cluster.allAlive()) {
                System.out.println("Partita: a worker or the scheduler exited during the run; see " + logDir);
            }
            return new TablesResult("Partita", "Partita (this build), " + workers + " workers x 1 thread, --memory-limit "
                    + memoryLimit, out, memory.peak(), null);
        }
    }

    /** Computes {@code frame} to the client: {{rows, checksum}}, the timing's whole work. */
    private static double[][] once(Frame frame, String check) {
        try (Partition result = frame.compute()) {
            return new double[][] {TablesQueries.rowsAndChecksum(result, check)};
        }
    }

    private static String explainFirstStage(Frame frame) {
        String explain = frame.explain();
        int stages = explain.indexOf("== stages ==");
        return stages < 0 ? explain : explain.substring(stages).lines().filter(l -> l.startsWith("Stage")).toList().toString();
    }
}
