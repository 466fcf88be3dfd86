package io.partita.scheduler.state;

import io.partita.common.protocol.ClientRequest.ScatteredKey;
import io.partita.common.protocol.WorkerInfo;
import io.partita.common.protocol.WorkerReport.HeldKey;
import io.partita.common.protocol.WorkerReport.TaskDone;
import io.partita.common.protocol.WorkerReport.TaskFailed;
import io.partita.common.task.GraphSpec;
import java.util.List;

/** Facts the scheduler's state machine reacts to. Each carries a stimulus id that tags the transitions it causes. */
public sealed interface Event {
    String stimulusId();

    record ClientConnected(String stimulusId, String clientId) implements Event {}

    record ClientDisconnected(String stimulusId, String clientId) implements Event {}

    /** A client sent a graph; {@code encoded} is its SubmitGraph message as it arrived (null: not kept). */
    record GraphSubmitted(String stimulusId, String clientId, long requestId, GraphSpec graph, byte[] encoded)
            implements Event {
        public GraphSubmitted(String stimulusId, String clientId, long requestId, GraphSpec graph) {
            this(stimulusId, clientId, requestId, graph, null);
        }
    }

    /** A graph a previous active scheduler accepted and stored, replayed by this one as it takes over. */
    record GraphReplayed(String stimulusId, String clientId, long requestId, GraphSpec graph) implements Event {}

    /** A {@link Instruction.PersistGraph} was carried out; {@code error} says why not when it failed, else null. */
    record GraphPersisted(String stimulusId, String clientId, long requestId, String error) implements Event {}

    record KeysReleased(String stimulusId, String clientId, List<String> keys) implements Event {
        public KeysReleased { keys = List.copyOf(keys); }
    }

    record CancelRequested(String stimulusId, String clientId, long requestId, List<String> keys) implements Event {
        public CancelRequested { keys = List.copyOf(keys); }
    }

    record WhoHasAsked(String stimulusId, String clientId, long requestId, List<String> keys) implements Event {
        public WhoHasAsked { keys = List.copyOf(keys); }
    }

    /**
     * {@code clientId} put these values onto {@code workerId} (Flight DoPut) and asks to register them: each becomes a
     * key in memory there, with one reference of the client and no lineage.
     */
    record DataScattered(String stimulusId, String clientId, long requestId, String workerId, List<ScatteredKey> keys)
            implements Event {
        public DataScattered { keys = List.copyOf(keys); }
    }

    /**
     * A scheduler taking over starts from the graphs it replays and the keys the workers report: until
     * {@link RecoveryFinished}, nothing is placed, so that results still held by workers are found, not recomputed.
     */
    record RecoveryStarted(String stimulusId) implements Event {}

    record RecoveryFinished(String stimulusId) implements Event {}

    /** A client that was connected to the previous active scheduler is back (same client id). */
    record ClientResumed(String stimulusId, String clientId) implements Event {}

    record WorkerJoined(String stimulusId, WorkerInfo info, List<HeldKey> heldKeys) implements Event {
        public WorkerJoined { heldKeys = List.copyOf(heldKeys); }
    }

    record WorkerLeft(String stimulusId, String workerId, String reason) implements Event {}

    record TasksStarted(String stimulusId, String workerId, List<String> keys) implements Event {
        public TasksStarted { keys = List.copyOf(keys); }
    }

    record TasksFinished(String stimulusId, String workerId, List<TaskDone> tasks) implements Event {
        public TasksFinished { tasks = List.copyOf(tasks); }
    }

    record TasksFailed(String stimulusId, String workerId, List<TaskFailed> tasks) implements Event {
        public TasksFailed { tasks = List.copyOf(tasks); }
    }

    /** A client asks to retire these workers (names or ids); {@code clientId} null when not asked by a client. */
    record RetireRequested(String stimulusId, String clientId, long requestId, List<String> workers) implements Event {
        public RetireRequested { workers = List.copyOf(workers); }
    }

    /** {@code workerId} is stopping (SIGTERM) and asks to retire first. */
    record WorkerRetiring(String stimulusId, String workerId) implements Event {}

    /** {@code workerId} copied {@code acquired} from a retiring worker and holds them now; {@code failed} it could not. */
    record KeysAcquired(String stimulusId, String workerId, List<String> acquired, List<String> failed) implements Event {
        public KeysAcquired {
            acquired = List.copyOf(acquired);
            failed = List.copyOf(failed);
        }
    }

    /** Periodic: time to rebalance queued work between workers (work stealing). */
    record Tick(String stimulusId) implements Event {}

    /** The workers' measured Flight bandwidth (mean of their moving averages): prices the inputs a worker lacks. */
    record BandwidthMeasured(String stimulusId, double bytesPerSecond) implements Event {
        public BandwidthMeasured {
            if (!(bytesPerSecond > 0)) {
                throw new IllegalArgumentException("bandwidth must be positive: " + bytesPerSecond);
            }
        }
    }

    /** {@code workerId} answered a steal request: {@code released} tasks were given back, {@code kept} ones had started. */
    record StealAnswered(String stimulusId, String workerId, List<String> released, List<String> kept) implements Event {
        public StealAnswered {
            released = List.copyOf(released);
            kept = List.copyOf(kept);
        }
    }

    /** {@code workerId} could not get {@code dependency} of {@code key} from {@code holderWorkerId} and dropped the task. */
    record FetchFailed(String stimulusId, String workerId, String key, String dependency, String holderWorkerId,
                       String error) implements Event {}
}
