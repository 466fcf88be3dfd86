package io.partita.client;

import io.partita.common.data.Partition;
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
    /** The value's type as the scheduler reported it ({@code KeyFinished.type}); "" until finished. */
    private String type = "";
    /** The stored size of the value as its worker reported it ({@code KeyFinished.nbytes}); 0 until finished. */
    private long nbytes;
    private Throwable error;
    /** Completes (normally) once the key is finished, erred, cancelled or lost. */
    final CompletableFuture<Void> done = new CompletableFuture<>();
    /** Completes at the next update after someone asked for it ({@link #nextUpdate}); null while nobody waits. */
    private CompletableFuture<Void> updated;

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

    synchronized String type() {
        return type;
    }

    synchronized long nbytes() {
        return nbytes;
    }

    /** True when the value is an Arrow table, fetched with DoGet(TableTicket) as a {@code Partition}. */
    synchronized boolean isTable() {
        return Partition.isType(type);
    }

    synchronized Throwable error() {
        return error;
    }

    /**
     * Completes at this key's next update: new holders (it was lost with its worker and computed again) or an error.
     * A fetch that found no holder waits on it.
     */
    synchronized CompletableFuture<Void> nextUpdate() {
        if (updated == null) {
            updated = new CompletableFuture<>();
        }
        return updated;
    }

    /** Records a result; a key finished again (recomputed elsewhere) only gets its new holders. */
    void finished(List<WorkerAddress> newHolders, String newType, long newNbytes) {
        CompletableFuture<Void> waiting;
        synchronized (this) {
            if (status != TaskStatus.PENDING && status != TaskStatus.FINISHED) {
                return;
            }
            status = TaskStatus.FINISHED;
            holders = newHolders;
            if (newType != null && !newType.isEmpty()) {
                type = newType;
            }
            nbytes = newNbytes;
            waiting = updated;
            updated = null;
        }
        done.complete(null);
        if (waiting != null) {
            waiting.complete(null);
        }
    }

    /**
     * Ends the key with a failure; false when it had already ended. A finished key can still err: its holders died
     * and computing it again failed.
     */
    boolean failed(TaskStatus newStatus, Throwable cause) {
        CompletableFuture<Void> waiting;
        synchronized (this) {
            if (status != TaskStatus.PENDING && !(status == TaskStatus.FINISHED && newStatus == TaskStatus.ERROR)) {
                return false;
            }
            status = newStatus;
            error = cause;
            waiting = updated;
            updated = null;
        }
        done.complete(null);
        if (waiting != null) {
            waiting.complete(null);
        }
        return true;
    }
}
