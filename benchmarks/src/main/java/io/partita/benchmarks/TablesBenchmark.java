package io.partita.benchmarks;

import io.partita.tpch.TpchGen;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * TPC-H lineitem queries on the same Parquet files, one invocation, one engine after the other: Partita (a scheduler,
 * 2 workers x 1 thread, memory limits below the data's size), DuckDB alone with 2 threads (the limit), Polars lazy,
 * Dask DataFrame on a LocalCluster of 2 workers x 1 thread, and Spark SQL in local[2]. Each engine runs every query
 * once as a warm-up, then {@code --rounds} rounds; answers are compared with DuckDB's. Run with
 * benchmarks/run-tables.sh, which makes the Python venv and Spark's jars.
 */
@Command(name = "run-tables.sh", mixinStandardHelpOptions = true,
        description = "TPC-H lineitem queries: Partita beside DuckDB alone, Polars, Dask and Spark, on the same Parquet files.")
public final class TablesBenchmark implements Callable<Integer> {
    @Option(names = "--scale", defaultValue = "10", description = "TPC-H scale factor (10: 60 M lineitem rows); default ${DEFAULT-VALUE}")
    double scale;

    @Option(names = "--data", description = "Parquet folder (generated there when missing); default ~/.cache/partita/tpch/sf<scale>")
    Path data;

    @Option(names = "--rounds", defaultValue = "3", description = "measured rounds after one warm-up; default ${DEFAULT-VALUE}")
    int rounds;

    @Option(names = "--engines", split = ",", defaultValue = "partita,duckdb,polars,dask,spark",
            description = "engines to run; default ${DEFAULT-VALUE}")
    List<String> engines;

    @Option(names = "--worker-memory", description = "each Partita worker's --memory-limit; default: a third of lineitem's "
            + "uncompressed size, between 512MiB and 2GiB")
    String workerMemory;

    @Option(names = "--partition-mib", defaultValue = "256", description = "readParquet's partition size; default ${DEFAULT-VALUE}")
    long partitionMib;

    @Option(names = "--threads", defaultValue = "2", description = "threads of every peer; default ${DEFAULT-VALUE}")
    int threads;

    @Option(names = "--python", defaultValue = "", description = "the venv's python with polars, dask, pyarrow (empty: Python peers not run)")
    String python;

    @Option(names = "--spark-java", defaultValue = "/usr/bin/java", description = "JDK 17's java for Spark; default ${DEFAULT-VALUE}")
    String sparkJava;

    @Option(names = "--spark-lib", defaultValue = "benchmarks/spark/target/lib", description = "Spark's jars; default ${DEFAULT-VALUE}")
    Path sparkLib;

    @Option(names = "--peer-timeout", defaultValue = "3600", description = "seconds a peer may take; default ${DEFAULT-VALUE}")
    long peerTimeout;

    @Option(names = "--queries", split = ",", description = "only these queries (names as in benchmarks/tables/queries.sql); "
            + "default all")
    List<String> only;

    @Option(names = "--partita-home", defaultValue = ".", description = "folder holding bin/; default the current one")
    Path partitaHome;

    /** Spark's own launcher's JVM options on JDK 17 (its JavaModuleOptions), and a heap for local[2]. */
    private static final List<String> SPARK_FLAGS = List.of("-Xmx4g", "-XX:+IgnoreUnrecognizedVMOptions",
            "--add-opens=java.base/java.lang=ALL-UNNAMED", "--add-opens=java.base/java.lang.invoke=ALL-UNNAMED",
            "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED", "--add-opens=java.base/java.io=ALL-UNNAMED",
            "--add-opens=java.base/java.net=ALL-UNNAMED", "--add-opens=java.base/java.nio=ALL-UNNAMED",
            "--add-opens=java.base/java.util=ALL-UNNAMED", "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
            "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED", "--add-opens=java.base/jdk.internal.ref=ALL-UNNAMED",
            "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED", "--add-opens=java.base/sun.nio.cs=ALL-UNNAMED",
            "--add-opens=java.base/sun.security.action=ALL-UNNAMED", "--add-opens=java.base/sun.util.calendar=ALL-UNNAMED",
            "-Djdk.reflect.useDirectMethodHandle=false", "-Dio.netty.tryReflectionSetAccessible=true");

    public static void main(String[] args) {
        System.exit(new CommandLine(new TablesBenchmark()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        Path dir = data != null ? data : Path.of(System.getProperty("user.home"), ".cache", "partita", "tpch",
                "sf" + new java.math.BigDecimal(String.valueOf(scale)).stripTrailingZeros().toPlainString());
        TpchGen.generate(scale, List.of("lineitem", "part"), dir, 1_000_000, 4_000_000, 2, System.out);
        DataSize size = DataSize.of(dir.resolve("lineitem"));
        String memory = workerMemory != null ? workerMemory
                : (Math.clamp(size.uncompressedBytes() / 3, 512L << 20, 2048L << 20) >> 20) + "MiB";
        Path logDir = Files.createTempDirectory("partita-tables-");
        Path sqlFile = partitaHome.resolve("benchmarks/tables/queries.sql");
        SqlQueries sql = SqlQueries.read(sqlFile);
        if (only != null) {
            sql = sql.only(only);
            sqlFile = sql.write(logDir.resolve("queries.sql")); // the peers that read the SQL read only these
        }
        List<String> names = sql.entries().stream().map(SqlQueries.Entry::name).toList();
        String pythonQueries = String.join(",", names);
        System.out.printf(Locale.ROOT, "TPC-H SF %s under %s: lineitem %,d rows, %s of Parquet in %d files, %s uncompressed; "
                        + "%d cores, load average %s; %d rounds after 1 warm-up%n", scale, dir, size.rows(),
                TablesReport.mib(size.parquetBytes()), size.files(), TablesReport.mib(size.uncompressedBytes()),
                Runtime.getRuntime().availableProcessors(), loadAverage(), rounds);
        String classPath = System.getProperty("java.class.path");
        String java = ProcessHandle.current().info().command().orElse("java");
        List<TablesResult> results = new ArrayList<>();
        for (String engine : engines) {
            results.add(switch (engine.strip().toLowerCase(Locale.ROOT)) {
                case "partita" -> runPartita(dir, sql, memory, logDir);
                case "duckdb" -> PeerProcess.run("DuckDB", command(java, jvmFlags(), "-cp", classPath,
                        DuckDbPeer.class.getName(), dir.toString(), sqlFile.toAbsolutePath().toString(), "" + rounds,
                        "" + threads), partitaHome, peerTimeout);
                case "polars", "dask" -> python.isBlank()
                        ? TablesResult.failed(label(engine), "no Python venv (run-tables.sh makes it; see its output)")
                        : PeerProcess.run(label(engine), List.of(python, partitaHome.resolve("benchmarks/tables/tables_peers.py")
                                .toString(), engine, dir.toString(), "" + rounds, "" + threads, pythonQueries), partitaHome, peerTimeout);
                case "spark" -> !Files.isDirectory(sparkLib)
                        ? TablesResult.failed("Spark", "no Spark jars in " + sparkLib + " (run-tables.sh resolves them)")
                        : PeerProcess.run("Spark", command(sparkJava, SPARK_FLAGS, "-cp", sparkLib.toAbsolutePath() + "/*",
                                partitaHome.resolve("benchmarks/spark/SparkTables.java").toString(), dir.toString(),
                                sqlFile.toAbsolutePath().toString(), "" + rounds, "" + threads), partitaHome, peerTimeout);
                default -> TablesResult.failed(engine, "unknown engine");
            });
        }
        System.out.printf(Locale.ROOT, "%nLoad average at the end: %s%n", loadAverage());
        System.out.println(TablesReport.render(names, results));
        return 0;
    }

    private TablesResult runPartita(Path dir, SqlQueries sql, String memory, Path logDir) {
        System.out.println("== Partita: 2 workers x 1 thread, --memory-limit " + memory + ", logs in " + logDir);
        try {
            return PartitaTables.run(partitaHome, dir, sql, rounds, 2, memory, partitionMib << 20, logDir);
        } catch (Exception e) {
            e.printStackTrace(System.out);
            return TablesResult.failed("Partita", e.toString());
        }
    }

    private static String label(String engine) {
        return engine.equals("polars") ? "Polars" : "Dask";
    }

    private static List<String> command(String java, List<String> flags, String... rest) {
        List<String> out = new ArrayList<>(List.of(java));
        out.addAll(flags);
        out.addAll(List.of(rest));
        return out;
    }

    /** This JVM's own flags (the Arrow and DuckDB ones), for the DuckDB peer. */
    private static List<String> jvmFlags() {
        return java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .filter(a -> a.startsWith("--")).toList();
    }

    static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).strip();
        } catch (java.io.IOException e) {
            return "?";
        }
    }
}
