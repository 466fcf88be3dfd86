package io.partita.common.codec;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.partita.common.protocol.ClientRequest;
import io.partita.common.protocol.ClientUpdate;
import io.partita.common.protocol.WorkerAddress;
import io.partita.common.protocol.WorkerCommand;
import io.partita.common.protocol.WorkerInfo;
import io.partita.common.protocol.WorkerLoad;
import io.partita.common.protocol.WorkerReport;
import io.partita.common.task.Arg;
import io.partita.common.task.FunctionSpec;
import io.partita.common.task.GraphSpec;
import io.partita.common.task.RemoteError;
import io.partita.common.task.TaskSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The wire codec on any bytes: each input is decoded as each of the four WebSocket message types, and either decodes
 * or is refused with a {@link ProtocolException}, the one exception the endpoints catch; never another exception, an
 * error or a hang. A message that decodes encodes again and decodes to a message of the same type.
 *
 * <p>Seeds (valid messages) are in {@code MessageCodecFuzzTestInputs/wireMessages}, written by {@link #main}.
 */
class MessageCodecFuzzTest {
    static final long MAX_BYTES = 1 << 20;
    private static final List<Class<?>> TYPES = List.of(ClientRequest.class, ClientUpdate.class, WorkerReport.class,
            WorkerCommand.class);

    @FuzzTest(maxDuration = "20s")
    void wireMessages(byte[] bytes) {
        for (Class<?> type : TYPES) {
            Object message;
            try {
                message = MessageCodec.fromCbor(bytes, type, MAX_BYTES);
            } catch (ProtocolException refused) {
                continue;
            }
            assertThat(message).isInstanceOf(type);
            assertThat(MessageCodec.fromCbor(MessageCodec.toCbor(message), type, MAX_BYTES)).isInstanceOf(message.getClass());
        }
    }

    /** Valid messages of every type, for the seed corpus. */
    static Map<String, Object> seeds() {
        FunctionSpec f = FunctionSpec.of("square", new byte[] {1, 2, 3}, List.of("a".repeat(64)));
        TaskSpec a = TaskSpec.of("square-0", f.id(), List.of(new Arg.Literal(ValueCodec.encode(3))));
        TaskSpec b = new TaskSpec("sum-1", f.id(), List.of(new Arg.ListArg(List.of(new Arg.Ref("square-0"),
                new Arg.Literal(ValueCodec.encode("x"))))), 1, 2, Map.of("GPU", 1.0), List.of("w1"));
        WorkerAddress w1 = new WorkerAddress("w1", "h1", "grpc+tcp://127.0.0.1:8789", "/dev/shm/w1", "", "http://127.0.0.1:8790");
        WorkerInfo info = new WorkerInfo("w1", "worker-1", "127.0.0.1", "h1", "grpc+tcp://127.0.0.1:8789", 8790, 2,
                1 << 30, Map.of("GPU", 1.0), 42, "/dev/shm/w1", "");
        RemoteError error = new RemoteError("java.lang.ArithmeticException", "/ by zero", "at f()", new byte[] {1}, "sum-1");
        Map<String, Object> seeds = new LinkedHashMap<>();
        seeds.put("submit-graph", new ClientRequest.SubmitGraph(7, new GraphSpec(List.of(f), List.of(a, b), List.of("sum-1"))));
        seeds.put("release-keys", new ClientRequest.ReleaseKeys(List.of("sum-1")));
        seeds.put("register-scattered", new ClientRequest.RegisterScattered(8, "w1",
                List.of(new ClientRequest.ScatteredKey("data-0", 100, "Integer"))));
        seeds.put("who-has", new ClientRequest.WhoHas(9, List.of("square-0")));
        seeds.put("welcome", new ClientUpdate.Welcome("client-1", "s1", 1 << 20, "grpc+tcp://127.0.0.1:8788", 1000));
        seeds.put("keys-finished", new ClientUpdate.KeysFinished(List.of(new ClientUpdate.KeyFinished("sum-1", List.of(w1), "Integer", 8))));
        seeds.put("keys-erred", new ClientUpdate.KeysErred(List.of(new ClientUpdate.KeyErred("sum-1", error))));
        seeds.put("who-has-reply", new ClientUpdate.WhoHasReply(9, Map.of("square-0", List.of(w1))));
        seeds.put("register-worker", new WorkerReport.RegisterWorker(info, List.of(new WorkerReport.HeldKey("square-0", 8, ""))));
        seeds.put("load", new WorkerReport.Load(new WorkerLoad("w1", 1, 2, 3, 4, 5, 6, 7,
                new WorkerLoad.MemoryByTier(1, 2, 3, 4, 5, 6), WorkerLoad.TransferCounters.EMPTY, false, 12.5, 1,
                List.of(new WorkerLoad.Activity(1, WorkerLoad.Activity.TRANSFER, 2, 3, 4, 1, "w2")))));
        seeds.put("tasks-done", new WorkerReport.TasksDone(List.of(new WorkerReport.TaskDone("sum-1", 8, "Integer", 1, 2, 1))));
        seeds.put("tasks-failed", new WorkerReport.TasksFailed(List.of(new WorkerReport.TaskFailed("sum-1", error, true))));
        seeds.put("execute-tasks", new WorkerCommand.ExecuteTasks(List.of(f), List.of(new WorkerCommand.ExecuteTask("sum-1",
                f.id(), b.args(), Map.of("square-0", List.of(w1)), 2, 5, Set.of("square-0")))));
        seeds.put("acquire-keys", new WorkerCommand.AcquireKeys(Map.of("square-0", List.of(w1))));
        seeds.put("retired", new WorkerCommand.Retired());
        return seeds;
    }

    /** Writes the seeds: {@code main(path of this class's inputs folder under src/test/resources)}. */
    public static void main(String[] args) throws IOException {
        Path dir = Files.createDirectories(Path.of(args[0], "wireMessages"));
        for (Map.Entry<String, Object> seed : seeds().entrySet()) {
            Files.write(dir.resolve(seed.getKey() + ".cbor"), MessageCodec.toCbor(seed.getValue()));
        }
    }
}
