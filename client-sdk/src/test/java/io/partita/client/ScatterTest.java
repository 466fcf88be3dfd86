package io.partita.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.partita.common.data.ArrowMemory;
import io.partita.common.data.Partition;
import io.partita.common.fn.Fn1;
import io.partita.common.protocol.ClientRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ScatterTest {
    static final Schema SCHEMA = new Schema(List.of(
            new Field("id", FieldType.nullable(new ArrowType.Int(32, true)), null),
            new Field("name", FieldType.nullable(ArrowType.Utf8.INSTANCE), null),
            new Field("score", FieldType.nullable(new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE)), null)));

    /** A batch of {@code rows} rows where every third value of each column is null. */
    static VectorSchemaRoot batch(BufferAllocator allocator, int from, int rows) {
        VectorSchemaRoot root = VectorSchemaRoot.create(SCHEMA, allocator);
        root.allocateNew();
        IntVector id = (IntVector) root.getVector("id");
        VarCharVector name = (VarCharVector) root.getVector("name");
        Float8Vector score = (Float8Vector) root.getVector("score");
        for (int i = 0; i < rows; i++) {
            int v = from + i;
            if (v % 3 == 0) {
                id.setNull(i);
            } else {
                id.setSafe(i, v);
            }
            if (v % 3 == 1) {
                name.setNull(i);
            } else {
                name.setSafe(i, ("név-" + v).getBytes(StandardCharsets.UTF_8));
            }
            if (v % 3 == 2) {
                score.setNull(i);
            } else {
                score.setSafe(i, v * 0.5);
            }
        }
        root.setRowCount(rows);
        return root;
    }

    static Partition partition(BufferAllocator allocator) {
        return Partition.of(List.of(batch(allocator, 0, 7), batch(allocator, 7, 5)));
    }

    static String content(Partition p) {
        StringBuilder b = new StringBuilder();
        p.batches().forEach(r -> b.append(r.contentToTSVString()));
        return b.toString();
    }

    /** Rows, doubled ids only: a task from Partition to Partition, built in the running task's allocator. */
    static Partition doubledIds(Partition in) {
        List<VectorSchemaRoot> out = new ArrayList<>();
        Schema schema = new Schema(List.of(new Field("twice", FieldType.nullable(new ArrowType.Int(64, true)), null)));
        for (VectorSchemaRoot b : in.batches()) {
            VectorSchemaRoot r = VectorSchemaRoot.create(schema, ArrowMemory.allocator());
            BigIntVector twice = (BigIntVector) r.getVector(0);
            IntVector id = (IntVector) b.getVector("id");
            twice.allocateNew(b.getRowCount());
            for (int i = 0; i < b.getRowCount(); i++) {
                if (id.isNull(i)) {
                    twice.setNull(i);
                } else {
                    twice.set(i, 2L * id.get(i));
                }
            }
            r.setRowCount(b.getRowCount());
            out.add(r);
        }
        return Partition.of(out);
    }

    @Test
    void scatterValuesAndAPartitionUseThemInTasksAndGatherThemBack() throws Exception {
        try (TestScheduler cluster = new TestScheduler(null);
             Client client = Client.connect(ClientOptions.of(cluster.address()).withToken(null))) {
            TaskFuture<String> hello = client.scatter("hello");
            assertThat(hello.isDone()).isTrue();
            assertThat(hello.status()).isEqualTo(TaskStatus.FINISHED);
            assertThat(hello.key()).startsWith("scatter-");
            assertThat(hello.result()).isEqualTo("hello");

            List<TaskFuture<Object>> mixed = client.scatter(Arrays.asList(1, "two", null, List.of(3.0)));
            assertThat(client.gather(mixed)).containsExactly(1, "two", null, List.of(3.0));
            ClientRequest.RegisterScattered reg = cluster.received.stream()
                    .filter(r -> r instanceof ClientRequest.RegisterScattered).map(r -> (ClientRequest.RegisterScattered) r)
                    .toList().get(1);
            assertThat(reg.workerId()).isEqualTo("w1");
            assertThat(reg.keys()).extracting(ClientRequest.ScatteredKey::type)
                    .containsExactly("java.lang.Integer", "java.lang.String", "null", List.of(3.0).getClass().getName());

            try (Partition table = partition(client.allocator())) {
                TaskFuture<Partition> scattered = client.scatter("table-1", table);
                assertThat(scattered.key()).isEqualTo("table-1");
                assertThat(table.isClosed()).isFalse(); // the caller keeps it
                assertThat(cluster.worker.tables.get("table-1").rowCount()).isEqualTo(12);

                try (Partition back = scattered.result()) {
                    assertThat(back.schema()).isEqualTo(SCHEMA);
                    assertThat(back.rowCount()).isEqualTo(12);
                    assertThat(content(back)).isEqualTo(content(table));
                    assertThat(back).isNotSameAs(table);
                }

                TaskFuture<Long> rows = client.submit((Partition p) -> p.rowCount(), scattered);
                assertThat(rows.result(Duration.ofSeconds(10))).isEqualTo(12L);
                TaskFuture<Partition> twice = client.submit((Fn1<Partition, Partition>) ScatterTest::doubledIds, scattered);
                List<Object> both = client.gather(List.<TaskFuture<Object>>of(cast(twice), cast(hello)));
                try (Partition p = (Partition) both.get(0)) {
                    assertThat(p.rowCount()).isEqualTo(12);
                    BigIntVector v = (BigIntVector) p.batches().get(1).getVector(0);
                    assertThat(v.isNull(2)).isTrue(); // id 9
                    assertThat(v.get(0)).isEqualTo(14); // id 7
                }
                assertThat(both.get(1)).isEqualTo("hello");
            }
            assertThat(client.allocator().getAllocatedMemory()).isZero();
            assertThat(client.outstandingBytes()).isZero();
        }
    }

    @SuppressWarnings("unchecked")
    private static <T> TaskFuture<Object> cast(TaskFuture<T> f) {
        return (TaskFuture<Object>) f;
    }

    @Test
    void aTableOnAnUnreachableWorkerIsGatheredThroughTheProxy() throws Exception {
        try (TestScheduler cluster = new TestScheduler(null);
             Client client = Client.connect(ClientOptions.of(cluster.address()).withToken(null))) {
            TaskFuture<Partition> scattered;
            try (Partition table = partition(client.allocator())) {
                scattered = client.scatter(table);
            }
            cluster.workerUnreachable();
            TaskFuture<Partition> same = client.submit((Partition p) -> doubledIds(p), scattered);
            int before = cluster.worker.proxyGets.get();
            try (Partition p = same.result()) {
                assertThat(p.rowCount()).isEqualTo(12);
            }
            assertThat(cluster.worker.proxyGets.get() - before).isEqualTo(1);
        }
    }

    @Test
    void aRefusedScatterThrowsAndHoldsNothing() throws Exception {
        try (TestScheduler cluster = new TestScheduler(null);
             Client client = Client.connect(ClientOptions.of(cluster.address()).withToken(null))) {
            cluster.refuseScatter = "key k-1 already exists with other data";
            assertThatThrownBy(() -> client.scatter("k-1", 5))
                    .isInstanceOf(PartitaException.class)
                    .hasMessage("the scheduler refused scattered data: worker worker-1 (w1): key k-1 already exists with other data");
            assertThat(client.heldKeys()).isZero();
        }
    }

    @Test
    void theSchedulerRefusesOtherDataUnderAScatteredKey() throws Exception {
        try (TestScheduler cluster = new TestScheduler(null);
             Client client = Client.connect(ClientOptions.of(cluster.address()).withToken(null))) {
            TaskFuture<Integer> first = client.scatter("k-1", 5);
            assertThat(client.scatter("k-1", 5).result()).isEqualTo(5); // the same value again is fine
            assertThatThrownBy(() -> client.scatter("k-1", "five"))
                    .isInstanceOf(PartitaException.class)
                    .hasMessageStartingWith("the scheduler refused scattered data: worker worker-1 (w1): "
                            + "key k-1 already exists with other data (java.lang.Integer");
            assertThat(client.heldKeys()).isEqualTo(1); // the first k-1, not the refused one
            assertThat(first.status()).isEqualTo(TaskStatus.FINISHED);
        }
    }

    @Test
    void closingTheClientWithAPartitionStillHeldReportsItAndDoesNotThrow() throws Exception {
        Partition leaked;
        try (TestScheduler cluster = new TestScheduler(null)) {
            Client client = Client.connect(ClientOptions.of(cluster.address()).withToken(null));
            try (Partition table = partition(client.allocator())) {
                leaked = client.scatter(table).result();
            }
            assertThat(client.allocator().getAllocatedMemory()).isPositive();
            client.close(); // logs the bytes still held
            assertThat(leaked.rowCount()).isEqualTo(12); // still readable
            leaked.close();
            assertThat(client.allocator().getAllocatedMemory()).isZero();
            client.allocator().close();
        }
    }
}
