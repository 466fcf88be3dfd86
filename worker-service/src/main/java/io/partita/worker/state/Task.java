package io.partita.worker.state;

import io.partita.common.protocol.WorkerCommand.ExecuteTask;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** A task this worker was given, while it is here: its inputs still missing and its state. */
final class Task {
    final ExecuteTask spec;
    final long seq;
    final List<String> deps;
    final Set<String> missing = new HashSet<>();
    TaskState state;

    Task(ExecuteTask spec, long seq, List<String> deps) {
        this.spec = spec;
        this.seq = seq;
        this.deps = deps;
    }
}
