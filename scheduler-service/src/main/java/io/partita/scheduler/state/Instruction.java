package io.partita.scheduler.state;

import io.partita.common.protocol.ClientUpdate;
import io.partita.common.protocol.WorkerCommand;

/** What the I/O layer must do after the state machine handled events: send messages, already batched. */
public sealed interface Instruction {

    record SendToWorker(String workerId, WorkerCommand command) implements Instruction {}

    record SendToClient(String clientId, ClientUpdate update) implements Instruction {}
}
