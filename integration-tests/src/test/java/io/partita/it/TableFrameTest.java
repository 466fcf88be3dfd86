package io.partita.it;

import static io.partita.client.table.expr.Exprs.col;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.partita.client.Agg;
import io.partita.client.Client;
import io.partita.client.Frame;
import io.partita.common.data.Partition;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/** Tables on real scheduler and worker processes: every stage a task run by the workers' DuckDB. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(240)
class TableFrameTest {
    private ClusterProcesses cluster;
    private Client client;
    private Path data;

    @BeforeAll
    void start() throws Exception {
        data = Files.createDirectories(Path.of("target", "tables-it", UUID.randomUUID().toString()).toAbsolutePath());
        try (var c = DriverManager.getConnection("jdbc:duckdb:"); var s = c.createStatement()) {
            for (int f = 0; f < 3; f++) {
                s.execute("COPY (SELECT i::BIGINT AS id, (i % 17)::INTEGER AS k,"
                        + " CASE WHEN i % 7 = 0 THEN NULL ELSE (i * 31 % 1000)::BIGINT END AS x,"
                        + " CASE WHEN i % 5 = 0 THEN NULL ELSE 'name_' || (i % 23) END AS s"
                        + " FROM range(" + f * 20_000 + ", " + (f + 1) * 20_000 + ") t(i)) TO '" + data.resolve("f" + f + ".parquet")
                        + "' (FORMAT parquet, ROW_GROUP_SIZE 4096)");
            }
        }
        cluster = ClusterProcesses.start("tables", 2, 1, null);
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

    private Frame query() {
        return client.readParquet(data.toString(), 40_000) // a few row groups per partition
                .filter(col("x").gt(200).and(col("s").isNotNull()))
                .withColumn("y", col("x").mul(3).sub(col("k")))
                .groupBy("k").agg(Agg.sum("y"), Agg.countAll(), Agg.mean("x"), Agg.max("s"));
    }

    @Test
    void readFilterWithColumnGroupByComputeEqualsDuckDbAndExplainShowsOneFusedStage() throws Exception {
        Frame q = query();
        try (Partition p = q.compute()) {
            assertThat(rows(p)).isEqualTo(oracle("SELECT k, CAST(sum(x * 3 - k) AS BIGINT), count(*), round(avg(x), 6), max(s) "
                    + "FROM read_parquet('" + data + "/*.parquet') WHERE x > 200 AND s IS NOT NULL GROUP BY k ORDER BY k"));
        }
        int partitions = client.readParquet(data.toString(), 40_000).npartitions();
        assertThat(partitions).isGreaterThan(3);
        assertThat(q.explain()).contains("Stage 1: scan + filter + project + partial aggregate (" + partitions + " tasks)")
                .contains("Stage 2: combine partial aggregates");
    }

    @Test
    void toParquetWritesOneFilePerPartitionUnderItsFinalName() throws Exception {
        Frame source = client.readParquet(data.toString(), 40_000);
        Path out = data.resolveSibling(data.getFileName() + "-out");
        long rows = source.filter(col("k").isIn(1, 2, 3)).select("id", "k", "s").toParquet(out.toString());
        try (var files = Files.list(out)) {
            assertThat(files.map(f -> f.getFileName().toString()).toList()).hasSize(source.npartitions())
                    .allMatch(n -> n.matches("part-\\d{5}\\.parquet"));
        }
        assertThat(rows).isEqualTo(oracle("SELECT count(*) FROM read_parquet('" + data + "/*.parquet') WHERE k IN (1, 2, 3)")
                .getFirst().getFirst());
        assertThat(oracle("SELECT count(*), sum(id) FROM read_parquet('" + out + "/*.parquet')")).isEqualTo(
                oracle("SELECT count(*), sum(id) FROM read_parquet('" + data + "/*.parquet') WHERE k IN (1, 2, 3)"));
        ClusterProcesses.deleteTree(out);
    }

    @Test
    void aPersistedFrameStaysOnTheWorkersAndLaterPlansStartFromIt() throws Exception {
        Frame held = client.readParquet(data.toString(), 40_000).filter(col("x").isNotNull()).persist();
        assertThat(held.npartitions()).isGreaterThan(3);
        Frame q = held.groupBy("k").agg(Agg.countAll(), Agg.max("x"));
        assertThat(q.explain()).contains("Stage 1: persisted + partial aggregate (" + held.npartitions() + " tasks)");
        try (Partition p = q.compute()) {
            assertThat(rows(p)).isEqualTo(oracle("SELECT k, count(*), max(x) FROM read_parquet('" + data
                    + "/*.parquet') WHERE x IS NOT NULL GROUP BY k ORDER BY k"));
        }
        assertThat(held.count()).isEqualTo(oracle("SELECT count(x) FROM read_parquet('" + data + "/*.parquet')")
                .getFirst().getFirst());
    }

    @Test
    void aFrameFromTheClientsArrowPartitions() throws Exception {
        Frame source = client.readParquet(data.toString());
        try (Partition a = source.filter(col("id").lt(10_000L)).compute();
             Partition b = source.filter(col("id").ge(10_000L)).compute()) {
            Frame tables = client.fromTables(List.of(a, b));
            try (Partition p = tables.filter(col("s").isNotNull()).groupBy("k").agg(Agg.countAll(), Agg.max("x")).compute()) {
                assertThat(rows(p)).isEqualTo(oracle("SELECT k, count(*), max(x) FROM read_parquet('" + data
                        + "/*.parquet') WHERE s IS NOT NULL GROUP BY k ORDER BY k"));
            }
        }
    }

    @Test
    void aBroadcastJoinOfEveryPartitionWithASmallTable() throws Exception {
        Path dim = data.resolveSibling(data.getFileName() + "-dim.parquet");
        try (var c = DriverManager.getConnection("jdbc:duckdb:"); var s = c.createStatement()) {
            s.execute("COPY (SELECT i::INTEGER AS k, 'group_' || (i % 3) AS grp FROM range(0, 12) t(i)) TO '" + dim + "' (FORMAT parquet)");
        }
        try {
            Frame q = client.readParquet(data.toString(), 40_000).join(client.readParquet(dim.toString()), "k")
                    .groupBy("grp").agg(Agg.countAll(), Agg.sum("x"));
            assertThat(q.explain()).contains("broadcast side in1: scan (1 task)").contains("scan + broadcast join + partial aggregate");
            try (Partition p = q.compute()) {
                assertThat(rows(p)).isEqualTo(oracle("SELECT grp, count(*), CAST(sum(x) AS BIGINT) FROM read_parquet('" + data
                        + "/*.parquet') JOIN read_parquet('" + dim + "') USING (k) GROUP BY grp ORDER BY grp"));
            }
        } finally {
            Files.deleteIfExists(dim);
        }
    }

    @Test
    void badPathsFailNamingTheFileAndLeaveTheClusterWorking() throws Exception {
        assertThatThrownBy(() -> client.readParquet(data + "/nothing-*.parquet"))
                .hasMessageContaining("no Parquet file matches '" + data + "/nothing-*.parquet'");
        Path bad = data.resolveSibling(data.getFileName() + "-bad");
        Files.createDirectories(bad);
        Files.writeString(bad.resolve("broken.parquet"), "this is not a Parquet file");
        assertThatThrownBy(() -> client.readParquet(bad.toString()))
                .hasMessageContaining("cannot read Parquet file " + bad.resolve("broken.parquet"));
        ClusterProcesses.deleteTree(bad);
        assertThat(cluster.workerStatus()).hasSize(2);
        assertThat(client.readParquet(data.toString()).count()).isEqualTo(60_000);
    }

    private static List<List<Object>> rows(Partition p) {
        List<List<Object>> rows = new ArrayList<>();
        for (VectorSchemaRoot b : p.batches()) {
            for (int r = 0; r < b.getRowCount(); r++) {
                List<Object> row = new ArrayList<>();
                for (FieldVector v : b.getFieldVectors()) {
                    Object o = v.getObject(r);
                    row.add(o instanceof Double d ? Math.round(d * 1e6) / 1e6 : o instanceof Integer i ? i.longValue()
                            : o == null ? null : o instanceof Long ? o : o.toString());
                }
                rows.add(row);
            }
        }
        rows.sort(java.util.Comparator.comparing(r -> String.valueOf(r.getFirst())));
        return rows;
    }

    private static List<List<Object>> oracle(String sql) throws Exception {
        List<List<Object>> rows = new ArrayList<>();
        try (var c = DriverManager.getConnection("jdbc:duckdb:"); var s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                List<Object> row = new ArrayList<>();
                for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                    Object o = rs.getObject(i);
                    row.add(o instanceof Double d ? Math.round(d * 1e6) / 1e6 : o instanceof Integer n ? n.longValue()
                            : o instanceof java.math.BigInteger n ? n.longValueExact() : o == null ? null : o instanceof Long ? o : o.toString());
                }
                rows.add(row);
            }
        }
        rows.sort(java.util.Comparator.comparing(r -> String.valueOf(r.getFirst()))); // as rows(p) sorts
        return rows;
    }
}
