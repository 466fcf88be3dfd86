package io.partita.it;

import static io.partita.client.table.expr.Exprs.col;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.partita.client.Agg;
import io.partita.client.Client;
import io.partita.client.CsvOptions;
import io.partita.client.Frame;
import io.partita.client.TaskFuture;
import io.partita.common.data.Partition;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.time.LocalDate;
import org.apache.arrow.vector.DateDayVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/** readCsv on real scheduler and worker processes: byte ranges read by the workers' DuckDB. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(240)
class TableCsvTest {
    private ClusterProcesses cluster;
    private Client client;
    private Path data;

    @BeforeAll
    void start() throws Exception {
        data = Files.createDirectories(Path.of("target", "tables-csv-it", UUID.randomUUID().toString()).toAbsolutePath());
        try (var c = DriverManager.getConnection("jdbc:duckdb:"); var s = c.createStatement()) {
            for (int f = 0; f < 3; f++) {
                s.execute("COPY (SELECT i::BIGINT AS id, (i % 17)::INTEGER AS k,"
                        + " CASE WHEN i % 7 = 0 THEN NULL ELSE (i * 31 % 1000)::BIGINT END AS x,"
                        + " CASE WHEN i % 5 = 0 THEN NULL ELSE 'name, ' || (i % 23) END AS s,"
                        + " DATE '2021-03-01' + (i % 90)::INTEGER AS dt"
                        + " FROM range(" + f * 20_000 + ", " + (f + 1) * 20_000 + ") t(i)) TO '" + data.resolve("f" + f + ".csv")
                        + "' (HEADER, DELIMITER ',')");
            }
        }
        cluster = ClusterProcesses.start("tables-csv", 2, 1, null);
        client = Client.connect(cluster.address());
    }

    @AfterAll
    void stop() throws Exception {
        if (client != null) {
            client.close();
        }
        if (cluster != null) {
            cluster.close();
            for (int i = 1; i <= 2; i++) {
                assertThat(Files.readString(cluster.logs().resolve("worker-" + i + ".log")))
                        .contains("worker stopped with no Arrow memory outstanding");
            }
        }
        ClusterProcesses.deleteTree(data);
    }

    @Test
    void readCsvOfAFolderGroupByComputeEqualsDuckDb() throws Exception {
        Frame frame = client.readCsv(data.toString(), CsvOptions.defaults().withPartitionBytes(100_000));
        assertThat(frame.npartitions()).as("byte ranges of 3 files").isGreaterThan(6);
        assertThat(frame.schema().toString()).isEqualTo("[id BIGINT, k BIGINT, x BIGINT, s VARCHAR, dt DATE]");
        Frame q = frame.filter(col("x").gt(200).and(col("s").isNotNull()))
                .groupBy("k").agg(Agg.sum("x"), Agg.countAll(), Agg.max("s"), Agg.min("dt"));
        try (Partition p = q.compute()) {
            assertThat(rows(p)).isEqualTo(oracle("SELECT k, CAST(sum(x) AS BIGINT), count(*), max(s), min(dt) FROM read_csv('"
                    + data + "/*.csv') WHERE x > 200 AND s IS NOT NULL GROUP BY k ORDER BY k"));
        }
        assertThat(q.explain()).contains("Stage 1: scan + filter + partial aggregate (" + frame.npartitions() + " tasks)")
                .contains("CSV lines of a partition");
    }

    @Test
    void aBadRowFailsNamingTheFileAndLineAndTheClusterKeepsWorking() throws Exception {
        Path bad = data.resolveSibling(data.getFileName() + "-bad");
        Files.createDirectories(bad);
        List<String> lines = new ArrayList<>(Files.readAllLines(data.resolve("f1.csv")));
        lines.add(12_345 - 1, "1,2,3,4,5,6"); // becomes line 12345 of the file
        Files.write(bad.resolve("broken.csv"), lines);
        try {
            assertThatThrownBy(() -> client.readCsv(bad + "/nothing-*.csv", CsvOptions.defaults()))
                    .hasMessageContaining("no CSV file matches '" + bad + "/nothing-*.csv'");
            Frame broken = client.readCsv(bad.toString(), CsvOptions.defaults().withPartitionBytes(50_000));
            assertThat(broken.npartitions()).isGreaterThan(3);
            assertThatThrownBy(() -> broken.groupBy("k").agg(Agg.countAll()).compute())
                    .hasMessageContaining("CSV file " + bad.resolve("broken.csv") + ", line 12345: Expected Number of Columns: 5 Found: 6");
            // the workers are all there and another job runs; so does an unrelated future
            assertThat(cluster.workerStatus()).hasSize(2);
            TaskFuture<Integer> f = client.submit(() -> 41 + 1);
            assertThat(f.result()).isEqualTo(42);
            assertThat(client.readCsv(data.toString(), CsvOptions.defaults().withPartitionBytes(100_000)).count()).isEqualTo(60_000);
        } finally {
            ClusterProcesses.deleteTree(bad);
        }
    }

    private static List<List<Object>> rows(Partition p) {
        List<List<Object>> rows = new ArrayList<>();
        for (VectorSchemaRoot b : p.batches()) {
            for (int r = 0; r < b.getRowCount(); r++) {
                List<Object> row = new ArrayList<>();
                for (FieldVector v : b.getFieldVectors()) {
                    Object o = v.getObject(r);
                    row.add(o == null ? null : v instanceof DateDayVector ? LocalDate.ofEpochDay((Integer) o).toString()
                            : o instanceof Integer i ? i.longValue() : o instanceof Long ? o : o.toString());
                }
                rows.add(row);
            }
        }
        rows.sort(java.util.Comparator.comparing(r -> (Long) r.getFirst()));
        return rows;
    }

    private static List<List<Object>> oracle(String sql) throws Exception {
        List<List<Object>> rows = new ArrayList<>();
        try (var c = DriverManager.getConnection("jdbc:duckdb:"); var s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                List<Object> row = new ArrayList<>();
                for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                    Object o = rs.getObject(i);
                    row.add(o instanceof Integer n ? n.longValue() : o instanceof java.math.BigInteger n ? n.longValueExact()
                            : o == null ? null : o instanceof Long ? o : o.toString());
                }
                rows.add(row);
            }
        }
        rows.sort(java.util.Comparator.comparing(r -> (Long) r.getFirst()));
        return rows;
    }
}
