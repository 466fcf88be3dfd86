package io.partita.worker.exec;

import static org.assertj.core.api.Assertions.assertThat;

import io.partita.common.auth.ClusterToken;
import io.partita.common.codec.ValueCodec;
import io.partita.common.fn.Fn1;
import io.partita.common.fn.Fn2;
import io.partita.common.protocol.WorkerCommand.ExecuteTask;
import io.partita.common.task.Arg;
import io.partita.common.task.FunctionSpec;
import io.partita.worker.code.CodeLoader;
import io.partita.worker.state.WorkerEvent;
import io.partita.common.data.ArrowMemory;
import io.partita.common.data.Partition;
import io.partita.worker.store.ObjectStore;
import io.partita.worker.store.TestTables;
import io.partita.worker.store.TransferStats;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TaskRunnerTest {
    @TempDir
    Path dir;

    private RootAllocator allocator;
    private ObjectStore store;
    private CodeLoader code;

    @AfterEach
    void close() {
        code.close();
        store.close();
        allocator.close(); // a task's leaked buffer or an unclosed input view fails here
    }

    private TaskRunner runner() {
        allocator = new RootAllocator();
        store = new ObjectStore(allocator, dir.resolve("shm"), dir.resolve("spill"), new TransferStats());
        code = new CodeLoader(null, ClusterToken.none(), dir.resolve("artifacts"));
        return new TaskRunner(code, store, allocator);
    }

    @Test
    void aTableInputIsAViewOfItsSegmentAndATableResultBecomesASegment() throws Exception {
        TaskRunner runner = runner();
        store.putTable("t-1", TestTables.longs(allocator, 10, 100));
        Fn1<Partition, Partition> plusOne = p -> {
            BigIntVector in = (BigIntVector) p.batches().getFirst().getVector("x");
            Partition out = TestTables.longs(ArrowMemory.allocator(), in.get(0) + 1, in.getValueCount());
            if (!ArrowMemory.allocator().getName().equals("task-t-2")) {
                throw new IllegalStateException("built outside the task's allocator: " + ArrowMemory.allocator().getName());
            }
            return out;
        };
        FunctionSpec fn = FunctionSpec.of("plusOne", ValueCodec.encode(plusOne), List.of());
        ExecuteTask task = new ExecuteTask("t-2", fn.id(), List.of(new Arg.Ref("t-1")), Map.of(), 0, 0);

        WorkerEvent event = runner.run(task, fn, "s");

        assertThat(event).isInstanceOfSatisfying(WorkerEvent.TaskCompleted.class, done -> {
            assertThat(done.type()).isEqualTo(Partition.TYPE);
            assertThat(done.nbytes()).isEqualTo(store.sizeOf("t-2"));
        });
        assertThat(dir.resolve("shm").resolve(ObjectStore.segmentFileName("t-2"))).exists();
        try (Partition view = store.table("t-2")) {
            assertThat(TestTables.first(view)).isEqualTo(11);
            assertThat(view.rowCount()).isEqualTo(100);
        }
        assertThat(store.spillCandidates()).extracting(c -> c.key()).contains("t-1"); // unpinned after the run
    }

    @Test
    void runsALambdaWithALiteralAndAReference() {
        TaskRunner runner = runner();
        int offset = 100; // captured: the lambda is serialized with it
        Fn2<Integer, Integer, Integer> add = (a, b) -> a + b + offset;
        FunctionSpec fn = FunctionSpec.of("add", ValueCodec.encode(add), List.of());
        store.put("x-1", ValueCodec.encode(2));
        ExecuteTask task = new ExecuteTask("add-1", fn.id(),
                List.of(new Arg.Literal(ValueCodec.encode(40)), new Arg.Ref("x-1")), Map.of(), 0, 0);

        WorkerEvent event = runner.run(task, fn, "s");

        assertThat(event).isInstanceOfSatisfying(WorkerEvent.TaskCompleted.class, done -> {
            assertThat(done.type()).isEqualTo("java.lang.Integer");
            assertThat(done.nbytes()).isEqualTo(store.get("add-1").length);
        });
        assertThat(ValueCodec.decode(store.get("add-1"), getClass().getClassLoader())).isEqualTo(142);
    }

    @Test
    void aThrowingTaskBecomesARemoteError() {
        TaskRunner runner = runner();
        Fn1<Integer, Integer> boom = a -> { throw new IllegalArgumentException("bad " + a); };
        FunctionSpec fn = FunctionSpec.of("boom", ValueCodec.encode(boom), List.of());
        ExecuteTask task = new ExecuteTask("boom-1", fn.id(), List.of(new Arg.Literal(ValueCodec.encode(7))), Map.of(), 0, 0);

        assertThat(runner.run(task, fn, "s")).isInstanceOfSatisfying(WorkerEvent.TaskErred.class, e -> {
            assertThat(e.error().type()).isEqualTo("java.lang.IllegalArgumentException");
            assertThat(e.error().message()).isEqualTo("bad 7");
            assertThat(e.error().stackTrace()).contains("TaskRunnerTest");
            assertThat(e.error().exception()).isNotNull();
            assertThat(e.error().originKey()).isEqualTo("boom-1");
        });
        assertThat(store.contains("boom-1")).isFalse();
    }

    @Test
    void anUndecodableFunctionFailsTheTaskOnly() {
        TaskRunner runner = runner();
        FunctionSpec fn = FunctionSpec.of("junk", new byte[] {1, 2, 3}, List.of());
        ExecuteTask task = new ExecuteTask("junk-1", fn.id(), List.of(), Map.of(), 0, 0);

        assertThat(runner.run(task, fn, "s")).isInstanceOfSatisfying(WorkerEvent.TaskErred.class,
                e -> assertThat(e.error().message()).contains("cannot load function junk"));
    }
}
