package io.partita.common.task;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A graph submitted by a client: its functions, its tasks, and the keys the client holds futures for (the client
 * wants them kept until it releases them). Tasks may depend on keys of earlier graphs that are still held.
 */
public record GraphSpec(List<FunctionSpec> functions, List<TaskSpec> tasks, List<String> wanted) {
    public GraphSpec {
        functions = List.copyOf(functions);
        tasks = List.copyOf(tasks);
        wanted = List.copyOf(wanted);
    }

    /**
     * This graph with one String per distinct key and function id. A decoded message holds a copy at every occurrence
     * (a task's key again in the wanted list, the function id in every task), which a scheduler holding the graph
     * would pay for per task.
     */
    public GraphSpec sharingStrings() {
        Map<String, String> shared = new HashMap<>(tasks.size() * 2);
        functions.forEach(f -> shared.putIfAbsent(f.id(), f.id()));
        List<TaskSpec> sharedTasks = new ArrayList<>(tasks.size());
        for (TaskSpec t : tasks) {
            shared.putIfAbsent(t.key(), t.key());
            sharedTasks.add(t.withFunction(shared.computeIfAbsent(t.function(), f -> f)));
        }
        List<String> sharedWanted = new ArrayList<>(wanted.size());
        for (String key : wanted) {
            sharedWanted.add(shared.getOrDefault(key, key));
        }
        return new GraphSpec(functions, sharedTasks, sharedWanted);
    }
}
