package io.partita.worker.state;

import io.partita.common.protocol.WorkerAddress;
import io.partita.common.protocol.WorkerCommand.ExecuteTask;
import io.partita.common.task.RemoteError;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Facts fed into {@link WorkerState#handle}; each carries a stimulus id so a key's story can be traced. */
public sealed interface WorkerEvent {
    String stimulusId();

    /** The scheduler asked this worker to run these tasks. */
    record TasksAssigned(String stimulusId, List<ExecuteTask> tasks) implements WorkerEvent {
        public TasksAssigned { tasks = List.copyOf(tasks); }
    }

    /** These keys arrived from {@code holderWorkerId} and are in the local store now. */
    record InputsFetched(String stimulusId, String holderWorkerId, Set<String> keys) implements WorkerEvent {
        public InputsFetched { keys = Set.copyOf(keys); }
    }

    /** {@code holderWorkerId} could not serve these keys. */
    record FetchFailed(String stimulusId, String holderWorkerId, Set<String> keys, String error) implements WorkerEvent {
        public FetchFailed { keys = Set.copyOf(keys); }
    }

    /** A task ran on task thread {@code thread} (1..nthreads) and its result is stored under its key. */
    record TaskCompleted(String stimulusId, String key, long nbytes, String type, long startMillis,
                         long durationMicros, int thread) implements WorkerEvent {
        public TaskCompleted(String stimulusId, String key, long nbytes, String type, long startMillis,
                             long durationMicros) {
            this(stimulusId, key, nbytes, type, startMillis, durationMicros, 0);
        }
    }

    /**
     * A task raised, or its function or inputs could not be loaded.
     *
     * @param runElsewhere this worker could not start it (its jars could not be fetched): another worker may
     */
    record TaskErred(String stimulusId, String key, RemoteError error, boolean runElsewhere) implements WorkerEvent {
        public TaskErred(String stimulusId, String key, RemoteError error) {
            this(stimulusId, key, error, false);
        }
    }

    /** A client scattered these keys onto this worker (DoPut): they are held here now, not copies of another's. */
    record KeysScattered(String stimulusId, Set<String> keys) implements WorkerEvent {
        public KeysScattered { keys = Set.copyOf(keys); }
    }

    /** The memory monitor crossed the pause fraction (paused) or came back under it: start no tasks while paused. */
    record MemoryPaused(String stimulusId, boolean paused) implements WorkerEvent {}

    /** The scheduler asks this worker to copy these keys from their holders and keep them (a worker is retiring). */
    record AcquireRequested(String stimulusId, Map<String, List<WorkerAddress>> keys) implements WorkerEvent {
        public AcquireRequested { keys = Map.copyOf(keys); }
    }

    /** Keys asked for by {@link AcquireRequested} arrived ({@code acquired}) or could not be copied ({@code failed}). */
    record KeysAcquired(String stimulusId, Set<String> acquired, Set<String> failed) implements WorkerEvent {
        public KeysAcquired {
            acquired = Set.copyOf(acquired);
            failed = Set.copyOf(failed);
        }
    }

    /**
     * The connection to the scheduler was lost (it died, or a standby is taking over): tasks not started yet are
     * forgotten (the scheduler that registers this worker again sends what it still wants); running tasks finish and
     * are reported to it.
     */
    record SchedulerLost(String stimulusId) implements WorkerEvent {}

    /** The scheduler asks for these tasks back, to run them elsewhere (work stealing). */
    record StealRequested(String stimulusId, List<String> keys) implements WorkerEvent {
        public StealRequested { keys = List.copyOf(keys); }
    }

    /** The scheduler released these keys: drop results and forget tasks that have not started. */
    record KeysFreed(String stimulusId, List<String> keys) implements WorkerEvent {
        public KeysFreed { keys = List.copyOf(keys); }
    }
}
