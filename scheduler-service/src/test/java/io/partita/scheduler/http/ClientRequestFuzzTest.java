package io.partita.scheduler.http;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.partita.common.codec.MessageCodec;
import io.partita.common.codec.ProtocolException;
import io.partita.common.codec.ValueCodec;
import io.partita.common.protocol.ClientRequest;
import io.partita.common.protocol.WorkerCommand;
import io.partita.common.protocol.WorkerInfo;
import io.partita.common.protocol.WorkerReport;
import io.partita.common.task.Arg;
import io.partita.common.task.FunctionSpec;
import io.partita.common.task.GraphSpec;
import io.partita.common.task.TaskSpec;
import io.partita.scheduler.state.Event;
import io.partita.scheduler.state.Instruction;
import io.partita.scheduler.state.SchedulerLimits;
import io.partita.scheduler.state.SchedulerState;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The graph decoder on any bytes: a client's WebSocket frame decoded as {@link ClientEndpoint} decodes it, turned into
 * its event, and handled by a bare scheduler state with one worker (the graph validated by {@code GraphValidator},
 * its tasks run and finished), then sent again (as after a failover), and a graph also replayed by a standby. Either
 * the frame is refused with a {@link ProtocolException}, or the state answers it: it never throws, its invariants
 * hold, and every message it sends can be encoded.
 *
 * <p>Seeds (valid requests) are in {@code ClientRequestFuzzTestInputs/clientRequests}, written by {@link #main}.
 */
class ClientRequestFuzzTest {
    static final long MAX_BYTES = 1 << 20;
    static final String UPLOADED = "a".repeat(64);
    static final WorkerInfo WORKER = new WorkerInfo("w1", "worker-1", "127.0.0.1", "h1", "grpc+tcp://127.0.0.1:8789",
            8790, 2, 0, Map.of("GPU", 1.0), 1, "", "");

    @FuzzTest(maxDuration = "20s")
    void clientRequests(byte[] bytes) {
        ClientRequest request;
        try {
            request = MessageCodec.fromCbor(bytes, ClientRequest.class, MAX_BYTES);
        } catch (ProtocolException refused) {
            return; // answered with RequestFailed
        }
        Scheduler active = new Scheduler();
        active.on(new Event.WorkerJoined("join", WORKER, List.of()));
        active.on(new Event.ClientConnected("connect", "client-1"));
        active.on(ClientEndpoint.event("request", "client-1", request, bytes));
        active.on(ClientEndpoint.event("again", "client-1", request, bytes));
        if (request instanceof ClientRequest.SubmitGraph submit) {
            Scheduler standby = new Scheduler();
            standby.on(new Event.RecoveryStarted("recover"));
            standby.on(new Event.GraphReplayed("replay", "client-1", submit.requestId(), submit.graph().sharingStrings()));
        }
    }

    /** A bare scheduler state whose worker finishes every task it is given, and whose messages are all encoded. */
    private static final class Scheduler {
        final SchedulerState state = new SchedulerState("s1", SchedulerLimits.defaults().withMaxGraphTasks(1_000),
                UPLOADED::equals);
        long now = 1_000;

        void on(Event event) {
            List<String> executed = new ArrayList<>();
            for (Instruction i : state.handle(event, now++)) {
                switch (i) {
                    case Instruction.SendToClient c -> MessageCodec.toCbor(c.update());
                    case Instruction.SendToWorker w -> {
                        MessageCodec.toCbor(w.command());
                        if (w.command() instanceof WorkerCommand.ExecuteTasks ex) {
                            ex.tasks().forEach(t -> executed.add(t.key()));
                        }
                    }
                    case Instruction.PersistGraph p -> on(new Event.GraphPersisted("stored", p.clientId(), p.requestId(), null));
                    case Instruction.ForgetGraph f -> { }
                }
            }
            state.checkInvariants();
            if (!executed.isEmpty()) {
                on(new Event.TasksFinished("done", WORKER.workerId(), executed.stream()
                        .map(k -> new WorkerReport.TaskDone(k, 8, "Integer", now, 10)).toList()));
            }
        }
    }

    /** Writes the seeds: {@code main(path of this class's inputs folder under src/test/resources)}. */
    public static void main(String[] args) throws IOException {
        FunctionSpec f = FunctionSpec.of("inc", new byte[] {1, 2, 3}, List.of());
        FunctionSpec g = FunctionSpec.of("sum", new byte[] {4}, List.of(UPLOADED));
        TaskSpec a = TaskSpec.of("inc-0", f.id(), List.of(new Arg.Literal(ValueCodec.encode(1))));
        TaskSpec b = TaskSpec.of("inc-1", f.id(), List.of(new Arg.Ref("inc-0")));
        TaskSpec c = new TaskSpec("sum-2", g.id(), List.of(new Arg.ListArg(List.of(new Arg.Ref("inc-0"), new Arg.Ref("inc-1")))),
                2, 5, Map.of("GPU", 1.0), List.of("worker-1"));
        Map<String, ClientRequest> seeds = new LinkedHashMap<>();
        seeds.put("submit-graph", new ClientRequest.SubmitGraph(1, new GraphSpec(List.of(f, g), List.of(a, b, c), List.of("sum-2"))));
        seeds.put("submit-nothing-wanted", new ClientRequest.SubmitGraph(2, new GraphSpec(List.of(f), List.of(a, b), List.of())));
        seeds.put("submit-cycle", new ClientRequest.SubmitGraph(3, new GraphSpec(List.of(f),
                List.of(TaskSpec.of("x-0", f.id(), List.of(new Arg.Ref("y-0"))), TaskSpec.of("y-0", f.id(), List.of(new Arg.Ref("x-0")))),
                List.of("x-0"))));
        seeds.put("release-keys", new ClientRequest.ReleaseKeys(List.of("sum-2")));
        seeds.put("cancel-keys", new ClientRequest.CancelKeys(4, List.of("inc-1")));
        seeds.put("who-has", new ClientRequest.WhoHas(5, List.of("inc-0")));
        seeds.put("retire-workers", new ClientRequest.RetireWorkers(6, List.of("worker-1")));
        seeds.put("register-scattered", new ClientRequest.RegisterScattered(7, "w1",
                List.of(new ClientRequest.ScatteredKey("data-0", 100, "Integer"))));
        Path dir = Files.createDirectories(Path.of(args[0], "clientRequests"));
        for (Map.Entry<String, ClientRequest> seed : seeds.entrySet()) {
            Files.write(dir.resolve(seed.getKey() + ".cbor"), MessageCodec.toCbor(seed.getValue()));
        }
    }
}
