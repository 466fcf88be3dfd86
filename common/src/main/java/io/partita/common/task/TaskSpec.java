package io.partita.common.task;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One task of a graph.
 *
 * @param key       unique key of the task's result
 * @param function  {@link FunctionSpec#id()} of the function to run
 * @param args      the arguments; {@link Arg.Ref}s make dependencies
 * @param retries   how many times to re-run the task after it throws
 * @param priority  higher runs first among ready tasks (0 by default)
 * @param resources abstract resources the task needs on its worker, e.g. {@code GPU=1}
 * @param workers   if not empty, the worker ids or names the task may run on
 */
public record TaskSpec(String key, String function, List<Arg> args, int retries, int priority,
                       Map<String, Double> resources, List<String> workers) {
    public TaskSpec {
        Keys.requireValid(key);
        Objects.requireNonNull(function, "function");
        args = List.copyOf(args);
        resources = resources == null ? Map.of() : Map.copyOf(resources);
        workers = workers == null ? List.of() : List.copyOf(workers);
        if (retries < 0) {
            throw new IllegalArgumentException("retries of task " + key + " must not be negative");
        }
        resources.forEach((name, amount) -> {
            // a negative amount would give a worker resources back each time the task runs
            if (!(amount >= 0) || amount.isInfinite()) {
                throw new IllegalArgumentException("resource " + name + " of task " + key
                        + " must be a finite amount of at least 0, not " + amount);
            }
        });
    }

    public static TaskSpec of(String key, String function, List<Arg> args) {
        return new TaskSpec(key, function, args, 0, 0, Map.of(), List.of());
    }

    /** Keys of the tasks whose results this task needs, in argument order, possibly repeated. */
    public List<String> dependencies() {
        return Arg.keysOf(args);
    }

    /** This task calling {@code f} (an equal function id, typically a shared String instance). */
    public TaskSpec withFunction(String f) {
        return f == function ? this : new TaskSpec(key, f, args, retries, priority, resources, workers);
    }
}
