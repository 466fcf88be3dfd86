package io.partita.client;

import static io.partita.client.TableOracle.assertSameRows;
import static io.partita.client.TableOracle.oracle;
import static io.partita.client.TableOracle.rows;
import static io.partita.client.table.expr.Exprs.col;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.partita.client.table.expr.DataType;
import io.partita.client.table.expr.PlanException;
import io.partita.common.data.Partition;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * union, distinct, limit, first, aggregates of aggregates and joins after an aggregate, run by the planner and the
 * worker's engine against DuckDB alone; at 1, 2, 7 and 64 partitions, and (negative counts) on skewed keys: key 0
 * has 80% of the rows.
 */
class FrameOpsOracleTest {
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

    /** 1: one row group; 2: two files; 7 and 64: one row group a partition; a negative count: the same, skewed. */
    private Frame data(int spec) throws Exception {
        boolean skewed = spec < 0;
        int partitions = Math.abs(spec);
        Path data = Files.createDirectories(dir.resolve("data"));
        long partitionBytes = 128L << 20;
        switch (partitions) {
            case 1 -> TableOracle.write(data.resolve("a.parquet"), 0, 5_000, 1_000_000, skewed);
            case 2 -> {
                TableOracle.write(data.resolve("a.parquet"), 0, 3_000, 1_000_000, skewed);
                TableOracle.write(data.resolve("b.parquet"), 3_000, 6_500, 1_000_000, skewed);
            }
            default -> {
                TableOracle.write(data.resolve("a.parquet"), 0, partitions * 2_048L, 2_048, skewed);
                partitionBytes = 1;
            }
        }
        files = "read_parquet('" + data + "/*.parquet')";
        tables = new LocalTables(allocator);
        Frame frame = Frame.readParquet(tables, data.toString(), partitionBytes, allocator);
        assertThat(frame.npartitions()).isEqualTo(partitions);
        return frame;
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 7, 64, -7})
    void unionByNameThenFilterAndAggregate(int spec) throws Exception {
        Frame frame = data(spec);
        Frame low = frame.filter(col("id").lt(1_000L)).select("s", "id", "k", "x");
        Frame high = frame.filter(col("id").ge(3_000L)).select("id", "k", "x", "s");
        Frame u = low.union(high, frame.filter(col("k").eq(3)).select("k", "x", "s", "id"));
        assertThat(u.schema().names()).containsExactly("s", "id", "k", "x");
        String all = "(SELECT s, id, k, x FROM " + files + " WHERE id < 1000 UNION ALL SELECT s, id, k, x FROM " + files
                + " WHERE id >= 3000 UNION ALL SELECT s, id, k, x FROM " + files + " WHERE k = 3)";
        try (Partition p = u.filter(col("x").gt(500)).compute()) {
            assertSameRows(rows(p), oracle("SELECT * FROM " + all + " WHERE x > 500"));
        }
        try (Partition p = u.groupBy("k").agg(Agg.countAll(), Agg.sum("x"), Agg.min("s")).compute()) {
            assertSameRows(rows(p), oracle("SELECT k, count(*), CAST(sum(x) AS BIGINT), min(s) FROM " + all + " GROUP BY k"));
        }
        assertThat(u.count()).isEqualTo((Long) oracle("SELECT count(*) FROM " + all).getFirst().getFirst());
        assertThat(u.npartitions()).isEqualTo(3 * Math.abs(spec));
        assertThat(u.filter(col("x").gt(500)).explain()).contains("Union inputs=3")
                .contains("filter=((\"id\" < CAST(1000 AS BIGINT)) AND (\"x\" > 500))");
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 7, 64, -64})
    void distinctMatchesDuckDb(int spec) throws Exception {
        Frame frame = data(spec);
        try (Partition p = frame.select("k", "s").distinct().compute()) {
            assertSameRows(rows(p), oracle("SELECT DISTINCT k, s FROM " + files));
        }
        Frame q = frame.filter(col("x").gt(900)).select(col("k"), col("dt").year().as("y")).distinct().filter(col("k").lt(6));
        try (Partition p = q.compute()) {
            assertSameRows(rows(p), oracle("SELECT DISTINCT k, year(dt) FROM " + files + " WHERE x > 900 AND k < 6"));
        }
        assertThat(q.explain()).contains("partial distinct").contains("combine + final distinct + filter (1 task)");
        assertThat(frame.select("k").distinct().count()).isEqualTo((Long) oracle("SELECT count(DISTINCT k) FROM " + files).getFirst().getFirst());
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 7, 64})
    void limitReadsOnlyThePartitionsItNeedsAndStaysRightOverAFilter(int spec) throws Exception {
        Frame frame = data(spec);
        int before = tables.tasksRun;
        try (Partition p = frame.select(col("id"), col("x").mul(2).as("x2")).limit(700).compute()) {
            assertThat(rows(p)).isEqualTo(oracle("SELECT id, x * 2 FROM " + files + " WHERE id < 700"));
        }
        assertThat(tables.tasksRun - before).as("tasks of limit(700): one partition").isEqualTo(1);
        // a filter keeping only the late rows: the limit reads on until it has its rows
        long from = spec <= 2 ? 4_990L : spec * 2_048L - 20;
        try (Partition p = frame.filter(col("id").ge(from)).select("id", "s").limit(50).compute()) {
            assertThat(rows(p)).isEqualTo(oracle("SELECT id, s FROM " + files + " WHERE id >= " + from + " AND id < " + (from + 50)));
        }
        try (Partition p = frame.head(0)) {
            assertThat(p.rowCount()).isZero();
            assertThat(p.schema().getFields()).hasSize(8);
        }
        // a limit inside a plan: an aggregate over the first rows; a limit over an aggregate; over a union
        Frame firstRows = frame.filter(col("k").ne(3)).limit(1_000);
        try (Partition p = firstRows.groupBy("k").agg(Agg.countAll(), Agg.sum("x")).compute()) {
            assertSameRows(rows(p), oracle("SELECT k, count(*), CAST(sum(x) AS BIGINT) FROM (SELECT * FROM " + files
                    + " WHERE k <> 3 ORDER BY id LIMIT 1000) GROUP BY k"));
        }
        assertThat(firstRows.explain()).contains("Limit 1000");
        assertThat(frame.groupBy("k").agg(Agg.countAll()).limit(4).count()).isEqualTo(4);
        try (Partition p = frame.union(frame).limit(10).compute()) {
            assertThat(p.rowCount()).isEqualTo(10);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 7, 64, -7})
    void firstIsTheFirstNonNullValueInPartitionOrder(int spec) throws Exception {
        Frame frame = data(spec);
        try (Partition p = frame.groupBy("k").agg(Agg.first("x"), Agg.first("s"), Agg.first("amt"), Agg.countAll()).compute()) {
            assertSameRows(rows(p), oracle("SELECT k, first(x ORDER BY id) FILTER (WHERE x IS NOT NULL), "
                    + "first(s ORDER BY id) FILTER (WHERE s IS NOT NULL), first(amt ORDER BY id) FILTER (WHERE amt IS NOT NULL), "
                    + "count(*) FROM " + files + " GROUP BY k"));
        }
        try (Partition p = frame.filter(col("id").ge(10L)).agg(Agg.first("d")).compute()) {
            assertSameRows(rows(p), oracle("SELECT first(d ORDER BY id) FILTER (WHERE d IS NOT NULL) FROM " + files + " WHERE id >= 10"));
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 7, 64, -64})
    void aggregatesOfAggregatesAndJoinsAfterAnAggregate(int spec) throws Exception {
        Frame frame = data(spec);
        Frame perKeyAndS = frame.groupBy("k", "s").agg(Agg.countAll().as("n"), Agg.sum("x").as("sx"));
        String inner = "(SELECT k, s, count(*) AS n, CAST(sum(x) AS BIGINT) AS sx FROM " + files + " GROUP BY k, s)";
        Frame perK = perKeyAndS.filter(col("n").gt(10)).groupBy("k").agg(Agg.max("n"), Agg.mean("sx"), Agg.countAll());
        try (Partition p = perK.compute()) {
            assertSameRows(rows(p), oracle("SELECT k, max(n), avg(sx), count(*) FROM " + inner + " WHERE n > 10 GROUP BY k"));
        }
        assertThat(perK.explain()).contains("aggregated + filter + partial aggregate (1 task)");
        // the aggregate as the broadcast side, and as the probe side
        Frame totals = frame.groupBy("k").agg(Agg.sum("x").as("total"));
        try (Partition p = frame.select("id", "k").join(totals, "k").filter(col("total").gt(0L)).compute()) {
            assertSameRows(rows(p), oracle("SELECT id, k, total FROM " + files + " JOIN (SELECT k, CAST(sum(x) AS BIGINT) AS total FROM "
                    + files + " GROUP BY k) USING (k) WHERE total > 0"));
        }
        Frame labels = frame.filter(col("id").lt(13L)).select(col("k"), col("s").as("label"));
        try (Partition p = perKeyAndS.join(labels, "k").select("k", "s", "n", "label").compute()) {
            assertSameRows(rows(p), oracle("SELECT i.k, i.s, i.n, l.s FROM " + inner + " i JOIN (SELECT k, s FROM " + files
                    + " WHERE id < 13) l USING (k)"));
        }
    }

    /** A broadcast side whose size only shows once computed (an aggregate) is refused by the tasks that read it. */
    @ParameterizedTest
    @ValueSource(ints = {7})
    void aComputedBroadcastSideOverTheLimitFailsNamingItsSize(int spec) throws Exception {
        Frame frame = data(spec);
        Frame totals = frame.groupBy("k").agg(Agg.sum("x").as("total"));
        Frame joined = frame.select("id", "k").join(totals, "k");
        tables.maxBroadcastBytes = 64; // the totals of the keys take more
        assertThatThrownBy(joined::compute).hasMessageContaining("the broadcast side in1 of a join is ")
                .hasMessageContaining(" once computed, over the 64 B limit: every task of the other side would receive");
        tables.maxBroadcastBytes = 1L << 20;
        try (Partition p = joined.compute()) {
            assertThat(p.rowCount()).isEqualTo(frame.count());
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1})
    void unionDistinctAndLimitFailWhenThePlanIsBuilt(int spec) throws Exception {
        Frame frame = data(spec);
        assertThatThrownBy(() -> frame.select("id", "k").union(frame.select("id", "s"))).isInstanceOf(PlanException.class)
                .hasMessageContaining("union needs the same columns: [id BIGINT, s VARCHAR] against [id BIGINT, k INTEGER]");
        assertThatThrownBy(() -> frame.select("id", "k").union(frame.select(col("id"), col("k").cast(DataType.BIGINT).as("k"))))
                .isInstanceOf(PlanException.class)
                .hasMessageContaining("union: column k is BIGINT in [id BIGINT, k BIGINT] but INTEGER in [id BIGINT, k INTEGER]");
        assertThatThrownBy(() -> frame.limit(-1)).isInstanceOf(PlanException.class).hasMessageContaining("limit needs n >= 0");
        assertThatThrownBy(() -> frame.groupBy("k").agg(Agg.first("nope"))).isInstanceOf(PlanException.class)
                .hasMessageContaining("no column nope in [id BIGINT");
        assertThat(tables.tasksRun).isZero();
        assertThat(List.of(frame.distinct().schema().names().size())).containsExactly(8);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 7, 64})
    void dateAndTimestampPartsArithmeticAndCastsMatchDuckDb(int spec) throws Exception {
        Frame frame = data(spec);
        var noon = java.time.LocalDateTime.of(2020, 6, 1, 12, 0);
        Frame q = frame.filter(col("ts").lt(noon).or(col("ts").ge(java.time.Instant.parse("2021-01-01T00:00:00Z"))))
                .select(col("id"), col("ts").year().as("y"), col("ts").month().as("mo"), col("ts").day().as("d"),
                        col("ts").hour().as("h"), col("ts").minute().as("mi"), col("ts").second().as("s"),
                        col("dt").dayOfWeek().as("dow"), col("ts").dateTrunc("hour").as("th"), col("dt").dateTrunc("month").as("dm"),
                        col("ts").add(io.partita.client.table.expr.Exprs.days(2)).as("plus2d"),
                        col("ts").sub(io.partita.client.table.expr.Exprs.hours(5)).as("minus5h"),
                        col("dt").add(io.partita.client.table.expr.Exprs.minutes(90)).as("dtplus"),
                        col("dt").sub(io.partita.client.table.expr.Exprs.lit(java.time.LocalDate.of(2020, 1, 1))).as("days"),
                        col("ts").cast(DataType.DATE).as("tsd"), col("dt").cast(DataType.TIMESTAMP).as("dtts"),
                        col("ts").cast(DataType.VARCHAR).as("tss"), col("ts").cast(DataType.VARCHAR).cast(DataType.TIMESTAMP).as("back"));
        assertThat(q.schema().toString()).contains("th TIMESTAMP", "plus2d TIMESTAMP", "dtplus TIMESTAMP", "days BIGINT", "tsd DATE");
        try (Partition p = q.compute()) {
            assertSameRows(rows(p), oracle("SELECT id, year(ts), month(ts), day(ts), hour(ts), minute(ts), second(ts), isodow(dt), "
                    + "date_trunc('hour', ts), date_trunc('month', dt), ts + INTERVAL 2 DAY, ts - INTERVAL 5 HOUR, dt + INTERVAL 90 MINUTE, "
                    + "dt - DATE '2020-01-01', CAST(ts AS DATE), CAST(dt AS TIMESTAMP), CAST(ts AS VARCHAR), CAST(CAST(ts AS VARCHAR) AS TIMESTAMP) FROM "
                    + files + " WHERE ts < TIMESTAMP '2020-06-01 12:00:00' OR ts >= TIMESTAMP '2021-01-01 00:00:00'"));
        }
        try (Partition p = frame.groupBy("k").agg(Agg.min("ts"), Agg.max("ts"), Agg.first("ts")).compute()) {
            assertSameRows(rows(p), oracle("SELECT k, min(ts), max(ts), first(ts ORDER BY id) FILTER (WHERE ts IS NOT NULL) FROM "
                    + files + " GROUP BY k"));
        }
        assertThatThrownBy(() -> frame.select(col("ts").add(1).as("bad"))).isInstanceOf(PlanException.class)
                .hasMessageContaining("needs a date and whole days, a date or timestamp and an interval").hasMessageContaining("TIMESTAMP and INTEGER")
                .hasMessageContaining("ts TIMESTAMP]");
        assertThatThrownBy(() -> frame.select(col("s").hour().as("bad"))).isInstanceOf(PlanException.class)
                .hasMessageContaining("needs a date or timestamp, got VARCHAR");
        assertThatThrownBy(() -> frame.select(col("ts").dateTrunc("fortnight").as("bad"))).isInstanceOf(PlanException.class)
                .hasMessageContaining("needs a unit of [year, quarter");
    }
}
