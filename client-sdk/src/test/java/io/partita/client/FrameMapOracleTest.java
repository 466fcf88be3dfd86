package io.partita.client;

import static io.partita.client.TableOracle.assertSameRows;
import static io.partita.client.TableOracle.oracle;
import static io.partita.client.TableOracle.rows;
import static io.partita.client.table.expr.Exprs.col;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.partita.client.table.expr.DataType;
import io.partita.client.table.expr.PlanException;
import io.partita.client.table.expr.TableSchema;
import io.partita.common.data.ArrowMemory;
import io.partita.common.data.Partition;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** mapPartitions: user Java code between DuckDB stages, against DuckDB alone. */
class FrameMapOracleTest {
    static final TableSchema TRIPLED = new TableSchema(List.of(new TableSchema.Field("id", DataType.BIGINT),
            new TableSchema.Field("x3", DataType.BIGINT)));

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

    /** id and x * 3 of each row, computed in Java on the task's allocator. */
    static Partition triple(Partition in) {
        Schema schema = new Schema(List.of(Field.nullable("id", new ArrowType.Int(64, true)),
                Field.nullable("x3", new ArrowType.Int(64, true))));
        List<VectorSchemaRoot> out = new ArrayList<>();
        for (VectorSchemaRoot b : in.batches()) {
            VectorSchemaRoot r = VectorSchemaRoot.create(schema, ArrowMemory.allocator());
            BigIntVector id = (BigIntVector) r.getVector("id");
            BigIntVector x3 = (BigIntVector) r.getVector("x3");
            BigIntVector srcId = (BigIntVector) b.getVector("id");
            BigIntVector x = (BigIntVector) b.getVector("x");
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

    @ParameterizedTest
    @ValueSource(ints = {1, 7})
    void javaCodeRunsBetweenDuckDbStages(int partitions) throws Exception {
        Path data = Files.createDirectories(dir.resolve("data"));
        TableOracle.write(data.resolve("a.parquet"), 0, partitions * 2_048L, 2_048);
        files = "read_parquet('" + data + "/*.parquet')";
        tables = new LocalTables(allocator);
        Frame frame = Frame.readParquet(tables, data.toString(), 1, allocator);
        Frame mapped = frame.filter(col("k").lt(5)).mapPartitions(FrameMapOracleTest::triple, TRIPLED);
        assertThat(mapped.npartitions()).isEqualTo(partitions);
        Frame q = mapped.filter(col("x3").gt(1_000L)).groupBy().agg(Agg.countAll(), Agg.sum("x3"), Agg.max("id"));
        try (Partition p = q.compute()) {
            assertSameRows(rows(p), oracle("SELECT count(*), CAST(sum(x * 3) AS BIGINT), max(id) FROM " + files
                    + " WHERE k < 5 AND x * 3 > 1000"));
        }
        assertThat(q.explain()).contains("MapPartitions FrameMapOracleTest")
                .contains("scan + filter (" + partitions + " task").contains("map partitions (" + partitions + " task")
                .contains("mapped + filter + partial aggregate (" + partitions + " task");
        try (Partition p = mapped.compute()) {
            assertSameRows(rows(p), oracle("SELECT id, x * 3 FROM " + files + " WHERE k < 5"));
        }
        assertThatThrownBy(() -> mapped.filter(col("x").gt(1))).isInstanceOf(PlanException.class)
                .hasMessageContaining("no column x in [id BIGINT, x3 BIGINT]");

        TableSchema wrong = new TableSchema(List.of(new TableSchema.Field("id", DataType.BIGINT),
                new TableSchema.Field("x3", DataType.INTEGER)));
        assertThatThrownBy(() -> frame.mapPartitions(FrameMapOracleTest::triple, wrong).count())
                .hasMessageContaining("the mapPartitions function returned the columns [id BIGINT, x3 BIGINT] but declared [id BIGINT, x3 INTEGER]");
    }

    @ParameterizedTest
    @ValueSource(ints = {2})
    void aFrameFromFuturesOfTablesReadsTheirSchemaWithATinyTaskEach(int partitions) throws Exception {
        Path data = Files.createDirectories(dir.resolve("data"));
        TableOracle.write(data.resolve("a.parquet"), 0, 6_000, 1_000_000);
        files = "read_parquet('" + data + "/*.parquet')";
        tables = new LocalTables(allocator);
        Frame frame = Frame.readParquet(tables, data.toString(), 1 << 30, allocator);
        // in one process a "future" is the partition itself, under a key of its own
        try (Partition a = frame.filter(col("id").lt(2_000L)).compute(); Partition none = frame.filter(col("id").lt(0L)).compute();
             Partition b = frame.filter(col("id").ge(2_000L)).compute(); Partition other = frame.select("id").compute()) {
            int before = tables.tasksRun;
            Frame f = Frame.fromFutures(tables, List.of(a, none, b), p -> "future-" + System.identityHashCode(p), allocator);
            assertThat(tables.tasksRun - before).as("schema probes").isEqualTo(3);
            assertThat(f.npartitions()).isEqualTo(3);
            assertThat(f.schema()).isEqualTo(frame.schema());
            try (Partition p = f.filter(col("d").gt(3.5)).groupBy("k").agg(Agg.countAll(), Agg.sum("x"), Agg.first("s")).compute()) {
                assertSameRows(rows(p), oracle("SELECT k, count(*), CAST(sum(x) AS BIGINT), first(s ORDER BY id) FILTER (WHERE s IS NOT NULL) FROM "
                        + files + " WHERE d > 3.5 GROUP BY k"));
            }
            assertThatThrownBy(() -> Frame.fromFutures(tables, List.of(a, other), p -> "future-" + System.identityHashCode(p), allocator))
                    .isInstanceOf(PlanException.class).hasMessageContaining("has the schema [id BIGINT] but future-")
                    .hasMessageContaining("the partitions of one table share a schema");
        }
    }
}
