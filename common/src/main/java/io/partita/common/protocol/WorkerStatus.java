package io.partita.common.protocol;

/** A worker as {@code GET /api/workers} lists it: who it is and its last published load (null before the first). */
public record WorkerStatus(WorkerInfo info, WorkerLoad load) {}
