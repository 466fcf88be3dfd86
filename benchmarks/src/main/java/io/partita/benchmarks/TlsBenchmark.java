package io.partita.benchmarks;

import static io.partita.benchmarks.DataPlaneTasks.MIB;
import static io.partita.benchmarks.DataPlaneTasks.awaitDone;
import static io.partita.benchmarks.DataPlaneTasks.column;
import static io.partita.benchmarks.DataPlaneTasks.latency;
import static io.partita.benchmarks.Stats.median;

import io.partita.client.Client;
import io.partita.client.SubmitOptions;
import io.partita.client.TaskFuture;
import io.partita.common.data.Partition;
import io.partita.common.protocol.WorkerStatus;
import io.partita.common.tls.TlsConfig;
import io.partita.testnet.TestCa;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The cost of TLS, in one invocation on this machine: two clusters alike (a scheduler, 3 workers x 1 thread with host
 * ids of their own, on loopback), one in clear text and one with TLS on every endpoint (certificates of a CA made for
 * the run), both up at once and measured in alternating rounds (the order swapped each round) so that both see the
 * same machine. Per round and side: no-op task throughput (map + gather) and a tree reduction, as in the throughput
 * benchmark; a {@code --size-mib} table from worker a to worker b over the bulk path and to worker c over Flight (the
 * transfer time is the consumer's latency less that of a consumer on a, which holds the table); and the same table
 * gathered to the client over Flight. Reported: medians with their spread, and the median of the per-round ratios
 * TLS / clear text of the times.
 */
@Command(name = "tls-benchmark", mixinStandardHelpOptions = true,
        description = "The cost of TLS: task throughput and table transfers with TLS on beside TLS off, in alternating rounds.")
public final class TlsBenchmark implements Callable<Integer> {
    @Option(names = "--tasks", defaultValue = "10000", description = "Independent no-op tasks per round (default: ${DEFAULT-VALUE}).")
    int tasks;

    @Option(names = "--leaves", defaultValue = "5000", description = "Leaves of the tree reduction (default: ${DEFAULT-VALUE}).")
    int leaves;

    @Option(names = "--size-mib", defaultValue = "256", description = "Size of the table moved (default: ${DEFAULT-VALUE}).")
    int sizeMib;

    @Option(names = "--repeats", defaultValue = "5", description = "Measured rounds per side, after a warm-up round (default: ${DEFAULT-VALUE}).")
    int repeats;

    @Option(names = "--partita-home", defaultValue = ".", description = "Folder holding bin/partita (default: the current one).")
    Path partitaHome;

    @Option(names = "--worker-java-opts", defaultValue = "", description = "JVM options of the workers (default: none).")
    String workerJavaOpts;

    private static final List<String> MEASURES = List.of("no-op tasks", "tree reduction", "table a -> b (bulk path)",
            "table a -> c (Flight)", "table a -> client (Flight)");

    /** One side: its cluster, its client, its seconds per measure and round. */
    private static final class Side implements AutoCloseable {
        final String name;
        final ClusterLaunch cluster;
        final Client client;
        final Path shm;
        final Map<String, List<Double>> seconds = new LinkedHashMap<>();

        Side(String name, ClusterLaunch cluster, Client client, Path shm) {
            this.name = name;
            this.cluster = cluster;
            this.client = client;
            this.shm = shm;
            MEASURES.forEach(m -> seconds.put(m, new ArrayList<>()));
        }

        @Override
        public void close() throws Exception {
            client.close();
            cluster.close();
            ClusterLaunch.deleteTree(shm);
        }
    }

    @Override
    public Integer call() throws Exception {
        Path dir = Path.of("benchmarks/target/bench-tls").toAbsolutePath();
        TestCa ca = TestCa.create("partita-bench-ca");
        Path caFile = ca.writeCertificate(dir.resolve("ca.crt"));
        TestCa.Issued node = ca.issue("node", dir, "node"); // one certificate for every process: they share 127.0.0.1
        List<String> tlsArgs = List.of("--tls-cert", node.cert().toString(), "--tls-key", node.key().toString(),
                "--tls-ca", caFile.toString());
        System.out.printf(Locale.ROOT, "TLS benchmark: %,d no-op tasks, tree of %,d leaves, a %d MiB table; %d rounds after a "
                + "warm-up; TLS side: %s, %s key%n", tasks, leaves, sizeMib, repeats, TlsConfig.DEFAULT_PROTOCOLS,
                node.certificate().getPublicKey().getAlgorithm());
        try (Side off = open("off", List.of(), TlsConfig.none());
             Side on = open("on", tlsArgs, TlsConfig.client(caFile))) {
            for (int r = 0; r <= repeats; r++) { // round 0 warms both sides up and is not counted
                List<Side> order = r % 2 == 0 ? List.of(off, on) : List.of(on, off);
                for (Side side : order) {
                    round(side, r);
                }
            }
            report(off, on);
        }
        return 0;
    }

    private Side open(String name, List<String> tlsArgs, TlsConfig clientTls) throws Exception {
        Path shm = Files.createTempDirectory(Path.of(Files.isDirectory(Path.of("/dev/shm")) ? "/dev/shm" : System.getProperty("java.io.tmpdir")),
                "partita-tls-bench-" + name + "-");
        ClusterLaunch cluster = new ClusterLaunch(partitaHome, 3, new ClusterLaunch.WorkerSpec("0", true, workerJavaOpts, 1, shm,
                tlsArgs, Map.of(), Map.of("c", List.of("--peer-transfer", "flight"))), tlsArgs,
                Path.of("benchmarks/target/bench-logs/tls-" + name)).clientTls(clientTls);
        try {
            Client client = cluster.connect();
            List<WorkerStatus> ws = ClusterLaunch.byName(client);
            System.out.printf("TLS %s: workers %s, Flight %s%n", name, ws.stream().map(w -> w.info().name()).toList(),
                    ws.getFirst().info().flightUri().replaceFirst("//.*", "//..."));
            return new Side(name, cluster, client, shm);
        } catch (Exception | Error e) {
            cluster.close();
            throw e;
        }
    }

    private void round(Side side, int round) throws Exception {
        Client client = side.client;
        if (round == 0) { // the same warm-up as the throughput benchmark's: JIT on every side
            for (int i = 0; i < 3; i++) {
                ThroughputBenchmark.noop(client, 5_000);
                ThroughputBenchmark.tree(client, 2_000);
            }
        }
        double noop = ThroughputBenchmark.noop(client, tasks);
        double tree = ThroughputBenchmark.tree(client, leaves);

        int n = Math.toIntExact(sizeMib * MIB / Long.BYTES);
        long expected = (long) n * (n - 1) / 2;
        SubmitOptions onA = SubmitOptions.defaults().workers(List.of("a"));
        TaskFuture<Partition> x = client.submitWith(onA, (io.partita.common.fn.Fn0<Partition>) () -> column(0, n));
        awaitDone(x, side.cluster::allAlive);
        double local = latency(client, onA, x, expected);
        double bulk = latency(client, SubmitOptions.defaults().workers(List.of("b")), x, expected) - local;
        double flight = latency(client, SubmitOptions.defaults().workers(List.of("c")), x, expected) - local;
        long start = System.nanoTime();
        try (Partition back = x.result(DataPlaneTasks.TASK_TIMEOUT)) {
            double gather = (System.nanoTime() - start) / 1e9;
            if (back.rowCount() != n) {
                throw new IllegalStateException("gathered " + back.rowCount() + " rows of " + n);
            }
            System.out.printf(Locale.ROOT, "  round %d, TLS %-3s: no-op %,.0f tasks/s, tree %,.0f tasks/s, a->b %.0f ms, a->c %.0f ms, "
                    + "a->client %.0f ms%n", round, side.name, tasks / noop, (2.0 * leaves - 1) / tree, bulk * 1e3, flight * 1e3, gather * 1e3);
            if (round > 0) {
                List<Double> values = List.of(noop, tree, bulk, flight, gather);
                for (int i = 0; i < MEASURES.size(); i++) {
                    side.seconds.get(MEASURES.get(i)).add(values.get(i));
                }
            }
        }
        x.release();
        Thread.sleep(300); // let the release reach the workers (segments unlinked)
    }

    private void report(Side off, Side on) {
        long bytes = (long) sizeMib * MIB;
        System.out.println();
        System.out.println("| workload | TLS off | TLS on | time with TLS / without (median of rounds, min-max) |");
        System.out.println("| --- | ---: | ---: | ---: |");
        for (String m : MEASURES) {
            List<Double> a = off.seconds.get(m);
            List<Double> b = on.seconds.get(m);
            List<Double> ratios = new ArrayList<>();
            for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
                ratios.add(b.get(i) / a.get(i));
            }
            String offText;
            String onText;
            if (m.startsWith("table")) {
                offText = rate(a, bytes);
                onText = rate(b, bytes);
            } else {
                double count = m.equals("no-op tasks") ? tasks : 2.0 * leaves - 1;
                offText = Stats.rateSpread(a.stream().map(s -> count / s).toList()) + " tasks/s";
                onText = Stats.rateSpread(b.stream().map(s -> count / s).toList()) + " tasks/s";
            }
            List<Double> sorted = ratios.stream().sorted().toList();
            System.out.printf(Locale.ROOT, "| %s | %s | %s | %.2fx (%.2f-%.2f) |%n", m, offText, onText, median(ratios),
                    sorted.getFirst(), sorted.getLast());
        }
    }

    /** "median ms, MB/s (min-max ms)" of transfer seconds. */
    private static String rate(List<Double> seconds, long bytes) {
        List<Double> sorted = seconds.stream().sorted().toList();
        double m = median(sorted);
        return String.format(Locale.ROOT, "%.0f ms = %,.0f MB/s (%.0f-%.0f ms)", m * 1e3, bytes / m / 1e6,
                sorted.getFirst() * 1e3, sorted.getLast() * 1e3);
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new TlsBenchmark()).execute(args));
    }
}
