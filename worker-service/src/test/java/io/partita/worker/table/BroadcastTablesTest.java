package io.partita.worker.table;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.partita.common.data.Partition;
import io.partita.common.table.StageInput;
import io.partita.common.table.StageOutput;
import io.partita.common.table.TableStage;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class BroadcastTablesTest {
    private final BufferAllocator allocator = new RootAllocator();
    private TableEngine engine;

    @AfterEach
    void close() throws Exception {
        if (engine != null) {
            engine.close();
        }
        assertThat(allocator.getAllocatedMemory()).as("Arrow bytes left").isZero();
        allocator.close();
    }

    private Partition table(String sql) throws Exception {
        return (Partition) engine.run(new TableStage(sql, List.of(), new StageOutput.Table()), List.of(), allocator);
    }

    private long single(String sql, List<StageInput> inputs, List<Partition> tables) throws Exception {
        try (Partition p = (Partition) engine.run(new TableStage(sql, inputs, new StageOutput.Table()), tables, allocator)) {
            return ((BigIntVector) p.batches().getFirst().getFieldVectors().getFirst()).get(0);
        }
    }

    /** Every probe task of a join reads its whole broadcast side: the worker loads it into one table they share. */
    @Test
    void probeTasksShareOneTableOfTheBroadcastSideAndAnOversizedSideFailsNamingItsSize() throws Exception {
        engine = new TableEngine(1, 0, null);
        List<StageInput> inputs = List.of(new StageInput.Tables("in0", 1),
                new StageInput.Tables("in1", 1, new StageInput.Broadcast("side-0", 1L << 20)));
        String join = "SELECT count(*)::BIGINT FROM in0 JOIN in1 USING (k)";
        try (Partition side = table("SELECT range::BIGINT AS k, 'label ' || range AS label FROM range(1000)");
             Partition low = table("SELECT range::BIGINT AS k FROM range(0, 600)");
             Partition high = table("SELECT range::BIGINT AS k FROM range(500, 2000)")) {
            assertThat(single(join, inputs, List.of(low, side))).isEqualTo(600);
            assertThat(single(join, inputs, List.of(high, side))).isEqualTo(500);
            assertThat(single("SELECT count(*)::BIGINT FROM duckdb_tables() WHERE table_name LIKE 'partita_broadcast_%'",
                    List.of(), List.of())).isEqualTo(1);

            List<StageInput> tight = List.of(new StageInput.Tables("in0", 1),
                    new StageInput.Tables("in1", 1, new StageInput.Broadcast("side-1", 100)));
            assertThatThrownBy(() -> single(join, tight, List.of(low, side)))
                    .hasMessageContaining("the broadcast side in1 of a join is ").hasMessageContaining("over the 100 B limit");
        }
    }

    @Test
    void sidesAreDroppedWhenIdleOrToMakeRoomButNeverWhileRead() throws Exception {
        try (Connection conn = DriverManager.getConnection("jdbc:duckdb:")) {
            BroadcastTables tables = new BroadcastTables(100);
            List<String> loaded = new ArrayList<>();
            BroadcastTables.Loader loader = name -> {
                loaded.add(name);
                conn.createStatement().execute("CREATE TABLE " + name + " AS SELECT 1 AS x");
            };
            String a = tables.acquire("a", 60, conn, loader);
            assertThat(tables.acquire("a", 60, conn, loader)).isEqualTo(a);
            assertThat(loaded).hasSize(1);
            assertThat(tables.acquire("big", 101, conn, loader)).as("over the cap: read as streams").isNull();
            assertThat(tables.acquire("b", 60, conn, loader)).as("no room while a is read").isNull();
            tables.release("a");
            tables.release("a");
            String b = tables.acquire("b", 60, conn, loader);
            assertThat(b).isNotNull();
            assertThat(count(conn, a)).as("a made room for b").isZero();
            tables.dropAll(conn);
            assertThat(count(conn, b)).as("b is being read").isOne();
            tables.release("b");
            tables.dropAll(conn);
            assertThat(count(conn, b)).isZero();
            assertThat(tables.bytes()).isZero();
        }
    }

    private static long count(Connection conn, String table) throws Exception {
        try (ResultSet rs = conn.createStatement().executeQuery(
                "SELECT count(*) FROM duckdb_tables() WHERE table_name = '" + table + "'")) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
