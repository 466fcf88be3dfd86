package io.partita.scheduler.state;

import static org.assertj.core.api.Assertions.assertThat;

import io.partita.common.protocol.ClientUpdate;
import io.partita.common.protocol.WorkerCommand;
import io.partita.common.protocol.WorkerInfo;
import io.partita.common.protocol.WorkerReport.TaskDone;
import io.partita.common.protocol.WorkerReport.TaskFailed;
import io.partita.common.task.Arg;
import io.partita.common.task.FunctionSpec;
import io.partita.common.task.GraphSpec;
import io.partita.common.task.RemoteError;
import io.partita.common.task.TaskSpec;
import io.partita.scheduler.state.Event.*;
import io.partita.scheduler.state.Instruction.SendToClient;
import io.partita.scheduler.state.Instruction.SendToWorker;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;

/** A scheduler state fed events one at a time, with factories and readers of its instructions; for the state tests. */
abstract class StateHarness {
    static final FunctionSpec F = FunctionSpec.of("f", new byte[] {1}, List.of());
    static final String SHA = "a".repeat(64);
    static final FunctionSpec G = FunctionSpec.of("g", new byte[] {2}, List.of(SHA));

    SchedulerState state = new SchedulerState("s1", SchedulerLimits.defaults().withMaxGraphTasks(100), sha -> false);
    int stim;
    long requests;
    long now = 1000;

    @AfterEach
    void invariants() {
        state.checkInvariants();
    }

    // ---- factories

    static TaskSpec task(String key, String... deps) {
        return TaskSpec.of(key, F.id(), Arrays.stream(deps).<Arg>map(Arg.Ref::new).toList());
    }

    static GraphSpec graph(List<TaskSpec> tasks, String... wanted) {
        return new GraphSpec(List.of(F), tasks, List.of(wanted));
    }

    static WorkerInfo worker(String id) {
        return new WorkerInfo(id, id + "-name", "127.0.0.1", "host", "grpc+tcp://127.0.0.1:1", 0, 1, 0, Map.of(), 1, "", "");
    }

    /** Handles {@code e}; a graph the state asks to store is stored at once, as the loop would report it. */
    List<Instruction> on(Event e) {
        List<Instruction> out = new ArrayList<>(state.handle(e, now++));
        state.checkInvariants();
        for (Instruction i : List.copyOf(out)) {
            if (i instanceof Instruction.PersistGraph p) {
                out.addAll(state.handle(new GraphPersisted(sid(), p.clientId(), p.requestId(), null), now++));
                state.checkInvariants();
            }
        }
        return out;
    }

    String sid() {
        return "s" + stim++;
    }

    List<Instruction> submit(String client, GraphSpec g) {
        return on(new GraphSubmitted(sid(), client, ++requests, g)); // request ids grow per client
    }

    List<Instruction> join(String id) {
        return on(new WorkerJoined(sid(), worker(id), List.of()));
    }

    List<Instruction> done(String worker, String... keys) {
        return on(new TasksFinished(sid(), worker, Arrays.stream(keys).map(k -> new TaskDone(k, 8, "Integer", 0, 100)).toList()));
    }

    static List<String> executed(List<Instruction> out, String worker) {
        List<String> keys = new ArrayList<>();
        for (Instruction i : out) {
            if (i instanceof SendToWorker(_, String w, WorkerCommand.ExecuteTasks ex) && w.equals(worker)) {
                ex.tasks().forEach(t -> keys.add(t.key()));
            }
        }
        return keys;
    }

    static List<String> executedAnywhere(List<Instruction> out) {
        List<String> keys = new ArrayList<>();
        for (Instruction i : out) {
            if (i instanceof SendToWorker(_, String w, WorkerCommand.ExecuteTasks ex)) {
                ex.tasks().forEach(t -> keys.add(t.key()));
            }
        }
        return keys;
    }

    static List<String> freed(List<Instruction> out) {
        List<String> keys = new ArrayList<>();
        for (Instruction i : out) {
            if (i instanceof SendToWorker(_, String w, WorkerCommand.FreeKeys f)) {
                keys.addAll(f.keys());
            }
        }
        return keys;
    }

    static <T extends ClientUpdate> List<T> updates(List<Instruction> out, Class<T> type) {
        return out.stream().filter(i -> i instanceof SendToClient c && type.isInstance(c.update()))
                .map(i -> type.cast(((SendToClient) i).update())).toList();
    }

    static String failure(List<Instruction> out) {
        List<ClientUpdate.RequestFailed> f = updates(out, ClientUpdate.RequestFailed.class);
        assertThat(f).hasSize(1);
        return f.getFirst().error();
    }
}
