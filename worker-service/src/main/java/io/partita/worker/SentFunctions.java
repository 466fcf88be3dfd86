package io.partita.worker;

import io.partita.common.task.FunctionSpec;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The function specs the current scheduler connection has sent: the worker's side of the scheduler's record of them
 * ({@code WorkerRecord.sentFunctions}). That record belongs to one connection, so this does too: when the
 * connection is lost it is emptied, and the scheduler that registers this worker again sends what its tasks need.
 * Not thread-safe: used on the dispatcher's context.
 */
final class SentFunctions {
    private final Map<String, FunctionSpec> byId = new HashMap<>();

    /** Keeps the specs that came with a batch of tasks (a spec sent again replaces the earlier one). */
    void received(List<FunctionSpec> functions) {
        functions.forEach(f -> byId.put(f.id(), f));
    }

    /** The spec of {@code id}, or null when this connection has not sent it. */
    FunctionSpec get(String id) {
        return byId.get(id);
    }

    /** The connection is gone: its specs go with it. */
    void connectionLost() {
        byId.clear();
    }

    int size() {
        return byId.size();
    }
}
