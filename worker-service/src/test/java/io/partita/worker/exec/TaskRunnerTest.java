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
import io.partita.worker.store.HeapStore;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TaskRunnerTest {
    @TempDir
    Path dir;

    private final HeapStore store = new HeapStore();
    private CodeLoader code;

    @AfterEach
    void close() {
        code.close();
        store.close();
    }

    private TaskRunner runner() {
        code = new CodeLoader(null, ClusterToken.none(), dir);
        return new TaskRunner(code, store);
    }

    @Test
    void runsALambdaWithALiteralAndAReference() {
        TaskRunner runner = runner();
        int offset = 100; // captured: the lambda is serialized with it
        Fn2<Integer, Integer, Integer> add = (a, b) -> a + b + offset;
        FunctionSpec fn = FunctionSpec.of("add", ValueCodec.encode(add), List.of());
        store.put("x-1", ValueCodec.encode(2));
        ExecuteTask task = new ExecuteTask("add-1", fn.id(),
                List.of(new Arg.Literal(ValueCodec.encode(40)), new Arg.Ref("x-1")), Map.of(), 0);

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
        ExecuteTask task = new ExecuteTask("boom-1", fn.id(), List.of(new Arg.Literal(ValueCodec.encode(7))), Map.of(), 0);

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
        ExecuteTask task = new ExecuteTask("junk-1", fn.id(), List.of(), Map.of(), 0);

        assertThat(runner.run(task, fn, "s")).isInstanceOfSatisfying(WorkerEvent.TaskErred.class,
                e -> assertThat(e.error().message()).contains("cannot load function junk"));
    }
}
