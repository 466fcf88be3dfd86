package io.partita.scheduler.state;

import io.partita.common.protocol.ClientUpdate;
import io.partita.common.protocol.WorkerCommand;
import io.partita.common.task.GraphSpec;

/**
 * What the I/O layer must do after the state machine handled events: send messages (already batched) and keep the
 * accepted graphs where a standby finds them. Each carries the stimulus id of the event that caused it (for a batched
 * message, the last event that added to it).
 */
public sealed interface Instruction {
    String stimulusId();

    record SendToWorker(String stimulusId, String workerId, WorkerCommand command) implements Instruction {}

    record SendToClient(String stimulusId, String clientId, ClientUpdate update) implements Instruction {}

    /**
     * Store an accepted graph for a standby to replay, then report {@link Event.GraphPersisted}: the client hears
     * GraphAccepted only after that, so it re-sends a graph whose scheduler died before storing it.
     *
     * @param encoded the client's SubmitGraph message as it arrived, or null (encode {@code graph} again)
     */
    record PersistGraph(String stimulusId, String clientId, long requestId, GraphSpec graph, byte[] encoded)
            implements Instruction {}

    /** Remove a stored graph: its client released every key it asked for, or is gone. */
    record ForgetGraph(String stimulusId, String clientId, long requestId) implements Instruction {}
}
