package io.partita.common.task;

import java.util.List;

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
}
