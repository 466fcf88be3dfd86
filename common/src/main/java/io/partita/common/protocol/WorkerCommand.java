package io.partita.common.protocol;

import com.fasterxml.jackson.annotation.JsonTypeInfo;
import io.partita.common.task.Arg;
import io.partita.common.task.FunctionSpec;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Messages from the scheduler to a worker. */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
public sealed interface WorkerCommand {

    /** Answer to {@link WorkerReport.RegisterWorker}. */
    record Registered(String schedulerId) implements WorkerCommand {}

    /**
     * Answer to a {@link WorkerReport.RegisterWorker} the scheduler will not take from this worker process: it was
     * declared lost (typically after the network cut it off, and the keys it held were recomputed elsewhere). The
     * worker stops with code 1, so that its nanny starts a fresh one that joins cleanly.
     */
    record Restart(String reason) implements WorkerCommand {}

    /**
     * Answer to a {@link WorkerReport.RegisterWorker} that no restart can fix (another live worker has its name): the
     * worker stops with code 2, a configuration error its nanny does not restart.
     */
    record Refused(String reason) implements WorkerCommand {}

    /**
     * Run these tasks. {@code functions} holds each function the tasks use that this connection has not carried
     * before; the worker caches functions by id for the life of the connection.
     */
    record ExecuteTasks(List<FunctionSpec> functions, List<ExecuteTask> tasks) implements WorkerCommand {
        public ExecuteTasks {
            functions = List.copyOf(functions);
            tasks = List.copyOf(tasks);
        }
    }

    /**
     * @param dependencies for each dependency key, the workers that hold it (this worker may be one of them)
     * @param priority     the user's priority: higher runs first
     * @param order        then lower runs first: the scheduler's order (earlier graphs first, and within a graph an
     *                     order that finishes a branch before starting the next)
     * @param tables       the dependencies known to be Arrow tables: a worker fetches them as tables at once, without
     *                     first asking for them among serialized values
     */
    record ExecuteTask(String key, String function, List<Arg> args, Map<String, List<WorkerAddress>> dependencies,
                       int priority, long order, Set<String> tables) {
        public ExecuteTask {
            args = List.copyOf(args);
            dependencies = Map.copyOf(dependencies);
            tables = tables == null ? Set.of() : Set.copyOf(tables);
        }

        /** With no dependency known to be a table. */
        public ExecuteTask(String key, String function, List<Arg> args, Map<String, List<WorkerAddress>> dependencies,
                           int priority, long order) {
            this(key, function, args, dependencies, priority, order, Set.of());
        }
    }

    /**
     * Give these tasks back if they have not started (work stealing): the worker forgets each one that is still
     * waiting for inputs or for a thread and answers with {@link WorkerReport.StealResponse}.
     */
    record StealTasks(List<String> keys) implements WorkerCommand {
        public StealTasks { keys = List.copyOf(keys); }
    }

    /**
     * Copy these keys from the given holders and keep them in your own right (a retiring worker's keys); answered
     * with {@link WorkerReport.KeysAcquired}.
     */
    record AcquireKeys(Map<String, List<WorkerAddress>> keys) implements WorkerCommand {
        public AcquireKeys { keys = Map.copyOf(keys); }
    }

    /** Your retirement is complete (every key you held that is still needed has another holder): stop now. */
    record Retired() implements WorkerCommand {}

    /** Drop these results (and stop tasks for them that have not started). */
    record FreeKeys(List<String> keys) implements WorkerCommand {
        public FreeKeys { keys = List.copyOf(keys); }
    }
}
