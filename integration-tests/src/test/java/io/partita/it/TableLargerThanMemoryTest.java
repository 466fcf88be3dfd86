package io.partita.it;

import static io.partita.client.table.expr.Exprs.col;
import static org.assertj.core.api.Assertions.assertThat;

import io.partita.client.Agg;
import io.partita.client.Client;
import io.partita.client.Frame;
import io.partita.common.protocol.WorkerStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A Parquet folder four times the workers' memory limits together (by its uncompressed size) filtered, grouped by a
 * key with a million groups and written back to Parquet by two workers of 512 MiB: every partition's partial
 * aggregate holds every group, so the partials alone are most of the workers' memory and the combine tree must
 * spill its way through. No worker may be restarted, and the written result must equal DuckDB's alone.
 */
@Timeout(900)
class TableLargerThanMemoryTest {
    private static final long WORKER_LIMIT = 512L << 20;
    private static final int GROUPS = 1_000_000;
    private static final long ROWS_PER_FILE = 8_000_000;

    @Test
    void aFolderFourTimesTheWorkersMemoryIsFilteredGroupedAndWrittenBackWithNoWorkerRestarted() throws Exception {
        Path data = Files.createDirectories(Path.of("target", "tables-ltm", UUID.randomUUID().toString()).toAbsolutePath());
        Path in = Files.createDirectories(data.resolve("in"));
        Path out = data.resolve("out");
        Path spill = data.resolve("spill");
        try (Connection duck = DriverManager.getConnection("jdbc:duckdb:"); Statement s = duck.createStatement()) {
            s.execute("SET memory_limit = '1GB'");
            s.execute("SET temp_directory = '" + data.resolve("duckdb-tmp") + "'");
            // one file written, then linked under other names until the folder is 4x the memory: the same rows read
            // many times are as much data to the workers, and cost no time to make
            Path first = in.resolve("f0.parquet");
            s.execute("COPY (SELECT i AS id, (i * 7919) % " + GROUPS + " AS k, (i * 31) % 1000 AS x, (i % 977) / 7.0 AS y,"
                    + " i * 3 AS a, i * 5 AS b FROM range(" + ROWS_PER_FILE + ") t(i))"
                    + " TO '" + first + "' (FORMAT parquet, ROW_GROUP_SIZE 1000000)");
            long perFile = single(s, "SELECT sum(total_uncompressed_size) FROM parquet_metadata('" + first + "')");
            long target = 4 * 2 * WORKER_LIMIT;
            long uncompressed = perFile;
            for (int f = 1; uncompressed < target; f++) {
                assertThat(f).as("files of %d bytes for %d", perFile, target).isLessThan(64);
                Files.createLink(in.resolve("f" + f + ".parquet"), first);
                uncompressed += perFile;
            }

            long written;
            try (ClusterProcesses cluster = ClusterProcesses.scheduler("tables-larger-than-memory", null)) {
                for (int i = 0; i < 2; i++) {
                    cluster.addWorker(1, "--memory-limit", "512MiB", "--spill-dir", spill.toString());
                }
                cluster.awaitWorkers(2);
                List<Long> pids = pids(cluster);
                try (Client client = Client.connect(cluster.address())) {
                    Frame result = client.readParquet(in.toString())
                            .filter(col("x").ge(100))
                            .withColumn("z", col("x").mul(2).add(col("id").mod(3)))
                            .groupBy("k").agg(Agg.sum("z").as("z"), Agg.countAll().as("n"), Agg.max("y").as("y"));
                    assertThat(client.readParquet(in.toString()).npartitions()).as("partitions of about 256 MiB")
                            .isGreaterThanOrEqualTo(8);
                    long started = System.nanoTime();
                    written = result.toParquet(out.toString());
                    System.out.printf("filtered, grouped and written in %.1f s%n", (System.nanoTime() - started) / 1e9);
                }
                List<WorkerStatus> workers = cluster.workerStatus();
                assertThat(pids(cluster)).as("no worker was restarted").isEqualTo(pids);
                assertThat(workers).allSatisfy(w -> assertThat(w.load().memory().limit()).isEqualTo(WORKER_LIMIT));
                System.out.printf("%,d bytes uncompressed on 2 workers of %,d: spills %d, DuckDB/spilled tier %,d bytes%n",
                        uncompressed, WORKER_LIMIT, workers.stream().mapToLong(w -> w.load().transfers().spillCount()).sum(),
                        workers.stream().mapToLong(w -> w.load().memory().spilled()).sum());
            }

            s.execute("CREATE TEMP TABLE expected AS SELECT k, sum(x * 2 + id % 3) AS z, count(*) AS n, max(y) AS y"
                    + " FROM read_parquet('" + in + "/*.parquet') WHERE x >= 100 GROUP BY k");
            String expected = "SELECT * FROM expected";
            String actual = "SELECT k, z, n, y FROM read_parquet('" + out + "/*.parquet')";
            // (a tenth of the keys have only rows with x < 100: their groups are filtered out)
            assertThat(written).isEqualTo(single(s, "SELECT count(*) FROM (" + expected + ")")).isGreaterThan(GROUPS / 2);
            assertThat(single(s, "SELECT count(*) FROM (" + expected + " EXCEPT ALL " + actual + ")")).as("rows missing").isZero();
            assertThat(single(s, "SELECT count(*) FROM (" + actual + " EXCEPT ALL " + expected + ")")).as("rows wrong").isZero();
        } finally {
            ClusterProcesses.deleteTree(data);
        }
    }

    private static List<Long> pids(ClusterProcesses cluster) {
        return cluster.workerStatus().stream().map(w -> w.info().pid()).sorted().toList();
    }

    private static long single(Statement s, String sql) throws Exception {
        try (ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
