package io.partita.scheduler.state;

import io.partita.common.protocol.ClientUpdate;
import io.partita.common.protocol.ClientUpdate.KeyErred;
import io.partita.common.protocol.ClientUpdate.KeyFinished;
import io.partita.common.protocol.WorkerCommand;
import io.partita.common.protocol.WorkerCommand.ExecuteTask;
import io.partita.common.task.FunctionSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;

/** Collects what one {@code handle} call wants sent, and turns it into few, batched instructions. */
final class Outbox {
    /** Tasks per ExecuteTasks message: bounded messages, and a worker starts on the first ones sooner. */
    static final int MAX_TASKS_PER_MESSAGE = 4_096;

    private final Supplier<String> stimulus;
    private final List<Instruction> direct = new ArrayList<>();
    /** The stimulus that last added to each batch below (by worker or client id, per kind of message). */
    private final Map<String, String> freeCause = new LinkedHashMap<>();
    private final Map<String, String> executeCause = new LinkedHashMap<>();
    private final Map<String, String> finishedCause = new LinkedHashMap<>();
    private final Map<String, String> erredCause = new LinkedHashMap<>();
    private final Map<String, Set<String>> freeKeys = new LinkedHashMap<>();
    private final Map<String, Map<String, ExecuteTask>> execute = new LinkedHashMap<>();
    private final Map<String, List<KeyFinished>> finished = new LinkedHashMap<>();
    private final Map<String, List<KeyErred>> erred = new LinkedHashMap<>();

    /** @param stimulus the stimulus id of the event being handled */
    Outbox(Supplier<String> stimulus) {
        this.stimulus = stimulus;
    }

    void toClient(String clientId, ClientUpdate update) {
        direct.add(new Instruction.SendToClient(stimulus.get(), clientId, update));
    }

    void toWorker(String workerId, WorkerCommand command) {
        direct.add(new Instruction.SendToWorker(stimulus.get(), workerId, command));
    }

    /** An instruction other than a message, in order with the direct messages. */
    void instruct(Instruction instruction) {
        direct.add(instruction);
    }

    void free(String workerId, String key) {
        freeCause.put(workerId, stimulus.get());
        freeKeys.computeIfAbsent(workerId, w -> new LinkedHashSet<>()).add(key);
        Map<String, ExecuteTask> pending = execute.get(workerId);
        if (pending != null) {
            pending.remove(key); // released before it was even sent
        }
    }

    void execute(String workerId, ExecuteTask task) {
        executeCause.put(workerId, stimulus.get());
        execute.computeIfAbsent(workerId, w -> new LinkedHashMap<>()).put(task.key(), task);
    }

    void finished(String clientId, KeyFinished key) {
        finishedCause.put(clientId, stimulus.get());
        finished.computeIfAbsent(clientId, c -> new ArrayList<>()).add(key);
    }

    void erred(String clientId, KeyErred key) {
        erredCause.put(clientId, stimulus.get());
        erred.computeIfAbsent(clientId, c -> new ArrayList<>()).add(key);
    }

    /**
     * Direct messages and instructions first (Registered, GraphAccepted, PersistGraph...), then per worker FreeKeys
     * before ExecuteTasks, then per client the keys finished and erred.
     *
     * @param sentFunctions per worker, the function ids its connection already carried; updated here
     * @param functions     function specs by id
     */
    List<Instruction> drain(Function<String, Set<String>> sentFunctions, Function<String, FunctionSpec> functions) {
        List<Instruction> out = new ArrayList<>(direct);
        freeKeys.forEach((w, keys) -> out.add(new Instruction.SendToWorker(freeCause.get(w), w, new WorkerCommand.FreeKeys(List.copyOf(keys)))));
        execute.forEach((w, tasks) -> {
            Set<String> sent = sentFunctions.apply(w);
            List<ExecuteTask> all = List.copyOf(tasks.values());
            for (int from = 0; from < all.size(); from += MAX_TASKS_PER_MESSAGE) {
                List<ExecuteTask> chunk = all.subList(from, Math.min(all.size(), from + MAX_TASKS_PER_MESSAGE));
                List<FunctionSpec> newFunctions = new ArrayList<>();
                for (ExecuteTask t : chunk) {
                    if (sent.add(t.function())) {
                        newFunctions.add(functions.apply(t.function()));
                    }
                }
                out.add(new Instruction.SendToWorker(executeCause.get(w), w, new WorkerCommand.ExecuteTasks(newFunctions, chunk)));
            }
        });
        finished.forEach((c, keys) -> out.add(new Instruction.SendToClient(finishedCause.get(c), c, new ClientUpdate.KeysFinished(keys))));
        erred.forEach((c, keys) -> out.add(new Instruction.SendToClient(erredCause.get(c), c, new ClientUpdate.KeysErred(keys))));
        direct.clear();
        freeKeys.clear();
        execute.clear();
        finished.clear();
        erred.clear();
        freeCause.clear();
        executeCause.clear();
        finishedCause.clear();
        erredCause.clear();
        return out;
    }
}
