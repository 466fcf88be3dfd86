package io.partita.client;

import io.partita.common.protocol.WorkerAddress;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** What the client knows of one key it holds futures for; shared by every future of that key. */
final class KeyState {
    final String key;
    final List<String> artifacts;
    /** Futures (references) for this key; guarded by the key table's map operations. */
    int refs;
    private TaskStatus status = TaskStatus.PENDING;
    private List<WorkerAddress> holders = List.of();
    private Throwable error;
    /** Completes (normally) once the key is finished, erred, cancelled or lost. */
    final CompletableFuture<Void> done = new CompletableFuture<>();

    KeyState(String key, List<String> artifacts) {
        this.key = key;
        this.artifacts = artifacts;
    }

    synchronized TaskStatus status() {
        return status;
    }

    synchronized List<WorkerAddress> holders() {
        return holders;
    }

    synchronized Throwable error() {
        return error;
    }

    /** Records a result; a key finished again (recomputed elsewhere) only gets its new holders. */
    void finished(List<WorkerAddress> newHolders) {
        synchronized (this) {
            if (status != TaskStatus.PENDING && status != TaskStatus.FINISHED) {
                return;
            }
            status = TaskStatus.FINISHED;
            holders = newHolders;
        }
        done.complete(null);
    }

    /** Ends the key with a failure; false when it had already ended. */
    boolean failed(TaskStatus newStatus, Throwable cause) {
        synchronized (this) {
            if (status != TaskStatus.PENDING) {
                return false;
            }
            status = newStatus;
            error = cause;
        }
        done.complete(null);
        return true;
    }
}
