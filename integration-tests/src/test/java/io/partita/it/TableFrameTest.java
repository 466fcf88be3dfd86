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

    /** id and x * 3 of each row, in Java on the worker (this class is shipped to the workers as any task's code). */
    static Partition triple(Partition in) {
        org.apache.arrow.vector.types.pojo.Schema schema = new org.apache.arrow.vector.types.pojo.Schema(List.of(
                org.apache.arrow.vector.types.pojo.Field.nullable("id", new org.apache.arrow.vector.types.pojo.ArrowType.Int(64, true)),
                org.apache.arrow.vector.types.pojo.Field.nullable("x3", new org.apache.arrow.vector.types.pojo.ArrowType.Int(64, true))));
        List<VectorSchemaRoot> out = new ArrayList<>();
        for (VectorSchemaRoot b : in.batches()) {
            VectorSchemaRoot r = VectorSchemaRoot.create(schema, io.partita.common.data.ArrowMemory.allocator());
            var id = (org.apache.arrow.vector.BigIntVector) r.getVector("id");
            var x3 = (org.apache.arrow.vector.BigIntVector) r.getVector("x3");
            var srcId = (org.apache.arrow.vector.BigIntVector) b.getVector("id");
            var x = (org.apache.arrow.vector.BigIntVector) b.getVector("x");
            int n = b.getRowCount();
            id.allocateNew(n);
            x3.allocateNew(n);
            for (int i = 0; i < n; i++) {
                id.set(i, srcId.get(i));
                if (x.isNull(i)) {
                    x3.setNull(i);
                } else {
                    x3.set(i, x.get(i) * 3);
                }
            }
            r.setRowCount(n);
            out.add(r);
        }
        return out.isEmpty() ? Partition.empty(schema) : Partition.of(out);
    }

    /** Rows id = 100 i .. 100 i + 99, made by a task. */
    static Partition hundred(Integer i) {
        var id = new org.apache.arrow.vector.BigIntVector("id", io.partita.common.data.ArrowMemory.allocator());
        id.allocateNew(100);
        for (int r = 0; r < 100; r++) {
            id.set(r, 100L * i + r);
        }
        id.setValueCount(100);
        return Partition.of(VectorSchemaRoot.of(id));
    }

    @Test
    void mapPartitionsShipsJavaCodeToTheWorkersBetweenDuckDbStagesAndChecksItsSchema() throws Exception {
        var tripled = new io.partita.client.table.expr.TableSchema(List.of(
                new io.partita.client.table.expr.TableSchema.Field("id", io.partita.client.table.expr.DataType.BIGINT),
                new io.partita.client.table.expr.TableSchema.Field("x3", io.partita.client.table.expr.DataType.BIGINT)));
        Frame source = client.readParquet(data.toString(), 40_000);
        Frame q = source.filter(col("k").lt(5)).mapPartitions(TableFrameTest::triple, tripled)
                .filter(col("x3").gt(1_000L)).groupBy().agg(Agg.countAll(), Agg.sum("x3"), Agg.max("id"));
        assertThat(q.explain()).contains("map partitions (" + source.npartitions() + " tasks)");
        try (Partition p = q.compute()) {
            assertThat(rows(p)).isEqualTo(oracle("SELECT count(*), CAST(sum(x * 3) AS BIGINT), max(id) FROM read_parquet('"
                    + data + "/*.parquet') WHERE k < 5 AND x * 3 > 1000"));
        }
        var wrong = new io.partita.client.table.expr.TableSchema(List.of(
                new io.partita.client.table.expr.TableSchema.Field("id", io.partita.client.table.expr.DataType.BIGINT)));
        assertThatThrownBy(() -> source.mapPartitions(TableFrameTest::triple, wrong).count())
                .hasMessageContaining("the mapPartitions function returned the columns [id BIGINT, x3 BIGINT] but declared [id BIGINT]");
        assertThat(cluster.workerStatus()).hasSize(2);
    }

    @Test
    void aFrameFromFuturesOfTablesThatTasksMake() throws Exception {
        List<io.partita.client.TaskFuture<Partition>> futures = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            futures.add(client.submit(TableFrameTest::hundred, i));
        }
        Frame f = client.fromFutures(futures);
        assertThat(f.schema().toString()).isEqualTo("[id BIGINT]");
        try (Partition p = f.filter(col("id").ge(50L)).agg(Agg.countAll(), Agg.sum("id"), Agg.first("id")).compute()) {
            assertThat(rows(p)).isEqualTo(List.of(List.of(250L, 44_850L - 1_225L, 50L)));
        }
        futures.forEach(io.partita.client.TaskFuture::release);
    }

    @Test
    void unionDistinctLimitAndAJoinAfterAnAggregateOnRealWorkers() throws Exception {
        Frame source = client.readParquet(data.toString(), 40_000);
        String files = "read_parquet('" + data + "/*.parquet')";
        Frame u = source.filter(col("id").lt(1_000L)).union(source.filter(col("k").eq(3)));
        try (Partition p = u.select("k", "s").distinct().groupBy("k").agg(Agg.countAll()).compute()) {
            assertThat(rows(p)).isEqualTo(oracle("SELECT k, count(*) FROM (SELECT DISTINCT k, s FROM (SELECT * FROM " + files
                    + " WHERE id < 1000 UNION ALL SELECT * FROM " + files + " WHERE k = 3)) GROUP BY k ORDER BY k"));
        }
        try (Partition p = source.filter(col("id").ge(55_000L)).select("id").limit(7).compute()) {
            assertThat(rows(p)).isEqualTo(oracle("SELECT id FROM " + files + " WHERE id >= 55000 ORDER BY id LIMIT 7"));
        }
        Frame totals = source.groupBy("k").agg(Agg.sum("x").as("total"));
        try (Partition p = source.filter(col("id").lt(100L)).select("id", "k").join(totals, "k").compute()) {
            assertThat(rows(p)).isEqualTo(oracle("SELECT id, k, total FROM " + files + " JOIN (SELECT k, CAST(sum(x) AS BIGINT) AS total FROM "
                    + files + " GROUP BY k) USING (k) WHERE id < 100 ORDER BY id"));
        }
    }

    /** A client's broadcast limit, checked by the workers on an aggregate (its size known only once computed). */
    @Test
    void aComputedBroadcastSideOverTheClientsLimitFailsAndOtherWorkGoesOn() throws Exception {
        try (Client small = Client.connect(io.partita.client.ClientOptions.of(cluster.address()).withMaxBroadcastBytes(64))) {
            Frame source = small.readParquet(data.toString(), 40_000);
            Frame totals = source.groupBy("k").agg(Agg.sum("x").as("total"));
            assertThatThrownBy(() -> source.select("id", "k").join(totals, "k").compute())
                    .hasMessageContaining("the broadcast side in1 of a join is").hasMessageContaining("over the 64 B limit");
        }
        Frame source = client.readParquet(data.toString(), 40_000);
        try (Partition p = source.select("id", "k").join(source.groupBy("k").agg(Agg.sum("x").as("total")), "k").compute()) {
            assertThat(p.rowCount()).isEqualTo(source.count());
        }
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
