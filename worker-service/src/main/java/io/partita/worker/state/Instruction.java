package io.partita.worker.state;

import io.partita.common.protocol.WorkerAddress;
import io.partita.common.protocol.WorkerCommand.ExecuteTask;
import io.partita.common.protocol.WorkerReport;
import java.util.List;
import java.util.Set;

/** What {@link WorkerState#handle} asks the I/O layer to do. */
public sealed interface Instruction {
    String stimulusId();

    /** One DoGet to {@code holder} for all of {@code keys}. */
    /** {@code tables}: those of {@code keys} known to be Arrow tables. */
    record FetchInputs(String stimulusId, WorkerAddress holder, List<String> keys, Set<String> tables) implements Instruction {
        public FetchInputs {
            keys = List.copyOf(keys);
            tables = Set.copyOf(tables);
        }
    }

    /** Copy {@code keys} from {@code holder} as this worker's own (not borrowed): they must outlive the holder. */
    record Acquire(String stimulusId, WorkerAddress holder, List<String> keys) implements Instruction {
        public Acquire { keys = List.copyOf(keys); }
    }

    record ReportAcquired(String stimulusId, WorkerReport.KeysAcquired acquired) implements Instruction {}

    /** Run the task on the pool; all its dependencies are local. */
    record Execute(String stimulusId, ExecuteTask task) implements Instruction {}

    /** Report to the scheduler (the adapter batches these). */
    record ReportDone(String stimulusId, WorkerReport.TaskDone done) implements Instruction {}

    record ReportFailed(String stimulusId, WorkerReport.TaskFailed failed) implements Instruction {}

    record ReportFetchFailed(String stimulusId, WorkerReport.FetchFailed failed) implements Instruction {}

    /** Answer a steal request at once (not batched: the thief is idle meanwhile). */
    record ReportStealResponse(String stimulusId, WorkerReport.StealResponse response) implements Instruction {}

    /** Remove these keys from the store. */
    record Drop(String stimulusId, List<String> keys) implements Instruction {
        public Drop { keys = List.copyOf(keys); }
    }
}
