package io.partita.client;

import static io.partita.client.TableOracle.assertSameRows;
import static io.partita.client.TableOracle.oracle;
import static io.partita.client.TableOracle.rows;
import static io.partita.client.table.expr.Exprs.col;
import static io.partita.client.table.expr.Exprs.lit;
import static io.partita.client.table.expr.Exprs.when;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.partita.client.table.expr.DataType;
import io.partita.client.table.expr.PlanException;
import io.partita.client.table.plan.Plan;
import io.partita.common.data.Partition;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every query run by the planner and the worker's engine, partition by partition, against DuckDB alone. */
class FrameOracleTest {
    @TempDir Path dir;
    private final RootAllocator allocator = new RootAllocator();
    private LocalTables tables;
    private String files;

    @AfterEach
    void close() throws Exception {
        tables.close();
        assertThat(allocator.getAllocatedMemory()).as("Arrow bytes left").isZero();
        allocator.close();
    }

    /** 1: one file, one row group; 2: two files; 7 and 64: one file of as many row groups, one partition each. */
    private Frame data(int partitions) throws Exception {
        Path data = Files.createDirectories(dir.resolve("data"));
        long partitionBytes = 128L << 20;
        switch (partitions) {
            case 1 -> TableOracle.write(data.resolve("a.parquet"), 0, 5_000, 1_000_000);
            case 2 -> {
                TableOracle.write(data.resolve("a.parquet"), 0, 3_000, 1_000_000);
                TableOracle.write(data.resolve("b.parquet"), 3_000, 6_500, 1_000_000);
            }
            case 7, 64 -> {
                TableOracle.write(data.resolve("a.parquet"), 0, partitions * 2_048L, 2_048);
                partitionBytes = 1;
            }
            default -> throw new IllegalArgumentException();
        }
        files = "read_parquet('" + data + "/*.parquet')";
        tables = new LocalTables(allocator);
        Frame frame = Frame.readParquet(tables, data.toString(), partitionBytes, allocator);
        assertThat(frame.npartitions()).isEqualTo(partitions);
        return frame;
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 7, 64})
    void filterWithColumnGroupByAggMatchesDuckDb(int partitions) throws Exception {
        Frame q = data(partitions).filter(col("x").gt(100).and(col("s").isNotNull()))
                .withColumn("y", col("x").mul(2).add(col("d")))
                .groupBy("k").agg(Agg.sum("x"), Agg.count("d"), Agg.countAll(), Agg.mean("y"), Agg.min("s"),
                        Agg.max("dt"), Agg.sum("d"));
        try (Partition p = q.compute()) {
            assertSameRows(rows(p), oracle("SELECT k, CAST(sum(x) AS BIGINT), count(d), count(*), avg(x * 2 + d), min(s), "
                    + "max(dt), sum(d) FROM " + files + " WHERE x > 100 AND s IS NOT NULL GROUP BY k"));
        }
        String explain = q.explain();
        assertThat(explain).contains("Stage 1: scan + filter + project + partial aggregate (" + partitions + " task")
                .contains("Scan " + dir.resolve("data") + " columns=[k, x, d, s, dt] filter=")
                .contains(partitions > 8 ? "Stage 2: combine partial aggregates (8 tasks)" : "Stage 2: combine + final aggregate (1 task)")
                .contains(partitions > 8 ? "Stage 3: combine + final aggregate (1 task)" : "Stage 2");
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 7, 64})
    void decimalsCountDistinctAndStdDevMatchDuckDb(int partitions) throws Exception {
        Frame frame = data(partitions);
        Frame q = frame.groupBy("k").agg(Agg.sum("amt"), Agg.min("amt"), Agg.mean("amt"),
                Agg.countDistinct("s"), Agg.countDistinct("x"), Agg.stdDev("d"), Agg.stdDev("x"));
        try (Partition p = q.compute()) {
            assertSameRows(rows(p), oracle("SELECT k, sum(amt), min(amt), avg(amt), count(DISTINCT s), count(DISTINCT x), "
                    + "stddev_samp(d), stddev_samp(x) FROM " + files + " GROUP BY k"));
        }
        try (Partition p = frame.filter(col("id").lt(0L)).agg(Agg.countDistinct("s"), Agg.stdDev("d")).compute()) {
            assertSameRows(rows(p), oracle("SELECT count(DISTINCT s), stddev_samp(d) FROM " + files + " WHERE id < 0"));
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 7, 64})
    void expressionsMatchDuckDb(int partitions) throws Exception {
        Frame q = data(partitions).filter(col("k").isIn(1, 3, 5).or(col("id").between(100L, 120L)))
                .select(col("id"), col("s").lower().as("ls"), col("s").upper().as("us"), col("s").length().as("n"),
                        col("s").contains("_1").as("c1"), col("s").startsWith("Name_2").as("sw"),
                        col("d").round(1).as("r"), col("x").sub(500).abs().as("a"),
                        col("x").cast(DataType.DOUBLE).div(3).as("q"), col("dt").add(1).as("dt1"),
                        col("x").isNull().as("xn"), lit(2).add(3).mul(col("k")).as("folded"),
                        col("d").gt(10.5).and(col("k").ne(2).not()).as("b"));
        try (Partition p = q.compute()) {
            assertSameRows(rows(p), oracle("SELECT id, lower(s), upper(s), length(s), contains(s, '_1'), "
                    + "starts_with(s, 'Name_2'), round(d, 1), abs(x - 500), CAST(x AS DOUBLE) / 3, dt + 1, x IS NULL, "
                    + "5 * k, d > 10.5 AND NOT (k <> 2) FROM " + files + " WHERE k IN (1, 3, 5) OR id BETWEEN 100 AND 120"));
        }
        assertThat(q.explain()).contains("folded").contains("(5 * \"k\")");
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 7, 64})
    void moreExpressionsAndStepsAfterAnAggregate(int partitions) throws Exception {
        Frame frame = data(partitions);
        Frame q = frame.select(col("id"), col("x").coalesce(col("k"), -1).as("cx"),
                when(col("x").gt(500), "high").when(col("x").isNull(), "none").otherwise("low").as("band"),
                col("s").like("Name_1%").as("l"), col("s").substr(2, 3).as("sub"), col("dt").year().as("y"),
                col("dt").month().as("m"), col("dt").day().as("dd"));
        try (Partition p = q.compute()) {
            assertSameRows(rows(p), oracle("SELECT id, coalesce(x, k, -1), CASE WHEN x > 500 THEN 'high' WHEN x IS NULL "
                    + "THEN 'none' ELSE 'low' END, s LIKE 'Name_1%', substr(s, 2, 3), year(dt), month(dt), day(dt) FROM " + files));
        }
        Frame having = frame.groupBy("k").agg(Agg.countAll().as("n"), Agg.sum("x").as("sx"))
                .filter(col("sx").gt(col("n").mul(495))).withColumn("avg", col("sx").div(col("n")));
        String expected = "SELECT k, n, sx, sx / n FROM (SELECT k, count(*) AS n, CAST(sum(x) AS BIGINT) AS sx FROM " + files
                + " GROUP BY k) WHERE sx > n * 495";
        try (Partition p = having.compute()) {
            assertSameRows(rows(p), oracle(expected));
        }
        assertThat(having.count()).isEqualTo(oracle(expected).size());
        assertThat(having.npartitions()).isEqualTo(1);
        assertThat(having.explain()).contains("combine + final aggregate + filter + project (1 task)");
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 7, 64})
    void emptyResultsAndEmptyPartitions(int partitions) throws Exception {
        Frame frame = data(partitions);
        try (Partition none = frame.filter(col("id").lt(0)).agg(Agg.sum("x"), Agg.countAll(), Agg.mean("d"), Agg.min("s")).compute()) {
            assertSameRows(rows(none), oracle("SELECT CAST(sum(x) AS BIGINT), count(*), avg(d), min(s) FROM " + files + " WHERE id < 0"));
        }
        try (Partition late = frame.filter(col("id").ge(4_000L)).groupBy("s").agg(Agg.countAll(), Agg.max("x")).compute()) {
            assertSameRows(rows(late), oracle("SELECT s, count(*), max(x) FROM " + files + " WHERE id >= 4000 GROUP BY s"));
        }
        try (Partition nothing = frame.filter(col("id").lt(0)).select("id", "s").compute()) {
            assertThat(nothing.rowCount()).isZero();
            assertThat(nothing.schema().getFields()).hasSize(2);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 7, 64})
    void renameDropCountHeadAndToParquet(int partitions) throws Exception {
        Frame frame = data(partitions);
        Frame q = frame.rename("x", "xx").drop("s").filter(col("xx").gt(900));
        try (Partition p = q.compute()) {
            assertThat(p.schema().getFields()).extracting(f -> f.getName()).containsExactly("id", "k", "xx", "d", "dt", "amt", "ts");
            assertSameRows(rows(p), oracle("SELECT id, k, x, d, dt, amt, ts FROM " + files + " WHERE x > 900"));
        }
        assertThat(q.count()).isEqualTo((Long) oracle("SELECT count(*) FROM " + files + " WHERE x > 900").getFirst().getFirst());
        assertThat(frame.count()).isEqualTo((Long) oracle("SELECT count(*) FROM " + files).getFirst().getFirst());

        int before = tables.tasksRun;
        try (Partition head = frame.select("id", "s").head(10)) {
            assertThat(head.rowCount()).isEqualTo(10);
        }
        assertThat(tables.tasksRun - before).as("partitions read by head(10)").isEqualTo(1);

        Path out = dir.resolve("out");
        assertThat(q.toParquet(out.toString())).isEqualTo(q.count());
        try (var written = Files.list(out)) {
            assertThat(written.map(f -> f.getFileName().toString()).sorted().toList()).hasSize(partitions)
                    .allMatch(n -> n.matches("part-\\d{5}\\.parquet"));
        }
        assertSameRows(oracle("SELECT * FROM read_parquet('" + out + "/*.parquet')"),
                oracle("SELECT id, k, x, d, dt, amt, ts FROM " + files + " WHERE x > 900"));
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 7, 64})
    void aPersistedFrameIsReadFromItsPartitionsNotFromTheFiles(int partitions) throws Exception {
        Frame held = data(partitions).filter(col("x").isNotNull()).withColumn("x2", col("x").mul(2)).persist();
        assertThat(held.npartitions()).isEqualTo(partitions);
        Frame q = held.filter(col("k").lt(5)).groupBy("k").agg(Agg.sum("x2"), Agg.max("s"));
        assertThat(q.explain()).contains("Persisted partitions=" + partitions)
                .contains("Stage 1: persisted + filter + partial aggregate (" + partitions + " task");
        try (Partition p = q.compute()) {
            assertSameRows(rows(p), oracle("SELECT k, CAST(sum(x * 2) AS BIGINT), max(s) FROM " + files
                    + " WHERE x IS NOT NULL AND k < 5 GROUP BY k"));
        }
        assertThat(held.count()).isEqualTo((Long) oracle("SELECT count(x) FROM " + files).getFirst().getFirst());
        try (Partition first = held.head(3)) {
            assertThat(first.rowCount()).isEqualTo(3);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {2})
    void aFrameFromArrowPartitionsOneOfThemEmpty(int partitions) throws Exception {
        Frame frame = data(partitions);
        try (Partition a = frame.filter(col("id").lt(1_000L)).compute();
             Partition none = frame.filter(col("id").lt(0L)).compute();
             Partition b = frame.filter(col("id").ge(1_000L)).compute()) {
            Frame tables = Frame.fromTables(this.tables, java.util.List.of(a, none, b), allocator);
            assertThat(tables.npartitions()).isEqualTo(3);
            assertThat(tables.schema().toString()).isEqualTo("[id BIGINT, k INTEGER, x BIGINT, d DOUBLE, s VARCHAR, dt DATE, amt DECIMAL(10,2), ts TIMESTAMP]");
            try (Partition p = tables.filter(col("d").gt(3.5)).groupBy("k").agg(Agg.countAll(), Agg.sum("x"), Agg.max("dt")).compute()) {
                assertSameRows(rows(p), oracle("SELECT k, count(*), CAST(sum(x) AS BIGINT), max(dt) FROM " + files
                        + " WHERE d > 3.5 GROUP BY k"));
            }
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 7, 64})
    void broadcastJoinsMatchDuckDb(int partitions) throws Exception {
        Frame frame = data(partitions);
        Path dimFile = dir.resolve("dim.parquet");
        try (var c = java.sql.DriverManager.getConnection("jdbc:duckdb:"); var s = c.createStatement()) {
            s.execute("COPY (SELECT i::INTEGER AS k, 'label_' || (i % 4) AS label, (i * 10)::BIGINT AS weight FROM range(0, 10) t(i)) TO '"
                    + dimFile + "' (FORMAT parquet)");
        }
        Frame dim = Frame.readParquet(tables, dimFile.toString(), 1 << 20, allocator);
        String d = "read_parquet('" + dimFile + "')";
        Frame inner = frame.filter(col("x").gt(100)).join(dim, "k").groupBy("label").agg(Agg.countAll(), Agg.sum("weight"));
        try (Partition p = inner.compute()) {
            assertSameRows(rows(p), oracle("SELECT label, count(*), CAST(sum(weight) AS BIGINT) FROM " + files
                    + " f JOIN " + d + " USING (k) WHERE x > 100 GROUP BY label"));
        }
        assertThat(inner.explain()).contains("broadcast side in1: scan (1 task)")
                .contains("scan + filter + broadcast join + partial aggregate (" + partitions + " task");
        try (Partition p = frame.select("id", "k").join(dim, Plan.JoinType.LEFT, "k").compute()) {
            assertSameRows(rows(p), oracle("SELECT f.id, f.k, label, weight FROM " + files + " f LEFT JOIN " + d + " USING (k)"));
        }
        Frame heavy = dim.filter(col("weight").gt(50L));
        assertThat(frame.join(heavy, Plan.JoinType.SEMI, "k").count()).isEqualTo(
                (Long) oracle("SELECT count(*) FROM " + files + " WHERE k IN (SELECT k FROM " + d + " WHERE weight > 50)").getFirst().getFirst());
        assertThat(frame.join(heavy, Plan.JoinType.ANTI, "k").count()).isEqualTo(
                (Long) oracle("SELECT count(*) FROM " + files + " WHERE k NOT IN (SELECT k FROM " + d + " WHERE weight > 50)").getFirst().getFirst());
        assertThatThrownBy(() -> frame.join(frame, "k")).isInstanceOf(PlanException.class)
                .hasMessageContaining("column id is on both sides of the join");
    }

    @ParameterizedTest
    @ValueSource(ints = {1})
    void aWrongColumnOrTypeFailsWhenThePlanIsBuilt(int partitions) throws Exception {
        Frame frame = data(partitions);
        assertThatThrownBy(() -> frame.filter(col("nope").gt(1))).isInstanceOf(PlanException.class)
                .hasMessageContaining("no column nope in [id BIGINT, k INTEGER, x BIGINT, d DOUBLE, s VARCHAR, dt DATE, amt DECIMAL(10,2), ts TIMESTAMP]");
        assertThatThrownBy(() -> frame.filter(col("s").add(1))).isInstanceOf(PlanException.class)
                .hasMessageContaining("needs numbers, got VARCHAR and INTEGER");
        assertThatThrownBy(() -> frame.groupBy("k").agg(Agg.sum("s"))).hasMessageContaining("sum(s) needs a number");
        assertThat(tables.tasksRun).isZero();
    }
}
