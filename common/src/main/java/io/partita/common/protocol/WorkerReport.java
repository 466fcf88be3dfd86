package io.partita.common.protocol;

import com.fasterxml.jackson.annotation.JsonTypeInfo;
import io.partita.common.task.RemoteError;
import java.util.List;
import java.util.Objects;

/** Messages from a worker to the scheduler, over the worker WebSocket ({@code /api/worker} on port 8786). */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
public sealed interface WorkerReport {

    /**
     * First message on the connection. {@code heldKeys} lists the keys the worker already holds: after it
     * reconnected, or when it registers with a scheduler that took over from another (failover).
     */
    record RegisterWorker(WorkerInfo info, List<HeldKey> heldKeys) implements WorkerReport {
        public RegisterWorker {
            Objects.requireNonNull(info, "info");
            heldKeys = List.copyOf(heldKeys);
        }
    }

    /**
     * The worker's load, twice a second: its heartbeat too. A worker the scheduler hears nothing from for the worker
     * timeout is declared lost, whatever its connection says (a cut-off host leaves the connection open for minutes).
     */
    record Load(WorkerLoad load) implements WorkerReport {
        public Load {
            Objects.requireNonNull(load, "load");
        }
    }

    /** A key a worker holds: its size, and its type as far as the worker knows it (tables; "" for other values). */
    record HeldKey(String key, long nbytes, String type) {}

    /**
     * These tasks are starting to run now (sent before they run): only a task that was running when its worker died
     * counts towards {@code --allowed-failures}, not one that was merely queued there.
     */
    record TasksStarted(List<String> keys) implements WorkerReport {
        public TasksStarted { keys = List.copyOf(keys); }
    }

    record TasksDone(List<TaskDone> tasks) implements WorkerReport {
        public TasksDone { tasks = List.copyOf(tasks); }
    }

    /**
     * @param startMillis    wall-clock start
     * @param durationMicros run time, without fetching inputs
     * @param thread         which of the worker's task threads ran it (1..nthreads), for the dashboard's task stream
     */
    record TaskDone(String key, long nbytes, String type, long startMillis, long durationMicros, int thread) {
        /** A task done on an unnamed thread (0). */
        public TaskDone(String key, long nbytes, String type, long startMillis, long durationMicros) {
            this(key, nbytes, type, startMillis, durationMicros, 0);
        }
    }

    record TasksFailed(List<TaskFailed> tasks) implements WorkerReport {
        public TasksFailed { tasks = List.copyOf(tasks); }
    }

    /**
     * @param runElsewhere the worker could not start the task (its code could not be fetched): the scheduler runs it
     *                     on another worker, and fails it with {@code error} only when no other worker can take it
     */
    record TaskFailed(String key, RemoteError error, boolean runElsewhere) {
        public TaskFailed(String key, RemoteError error) {
            this(key, error, false);
        }
    }

    /** Answer to {@link WorkerCommand.StealTasks}: the tasks given back, and those that had started or were gone. */
    record StealResponse(List<String> released, List<String> kept) implements WorkerReport {
        public StealResponse {
            released = List.copyOf(released);
            kept = List.copyOf(kept);
        }
    }

    /** The worker is stopping (SIGTERM) and asks to retire first: hand its keys over, then answer Retired. */
    record Retiring() implements WorkerReport {}

    /** Answer to {@link WorkerCommand.AcquireKeys}: the keys now held here, and those that could not be copied. */
    record KeysAcquired(List<String> acquired, List<String> failed) implements WorkerReport {
        public KeysAcquired {
            acquired = List.copyOf(acquired);
            failed = List.copyOf(failed);
        }
    }

    /** The worker could not fetch {@code dependency} of {@code key} from {@code holderWorkerId}; it dropped the task. */
    record FetchFailed(String key, String dependency, String holderWorkerId, String error) implements WorkerReport {}
}
