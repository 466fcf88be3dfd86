package io.partita.worker.http;

import io.partita.worker.metrics.WorkerMetrics;
import io.partita.worker.store.ObjectStore;

/**
 * What the worker's HTTP endpoints show about it. The wiring ({@code WorkerServer}) implements it, so that this
 * package depends on the parts it reads and not on the worker that holds them.
 */
public interface WorkerStatus {
    /** Registered with a scheduler: {@code /health} answers 200. */
    boolean isRegistered();

    String workerId();

    WorkerMetrics metrics();

    ObjectStore store();
}
