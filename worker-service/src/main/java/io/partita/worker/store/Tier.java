package io.partita.worker.store;

/** Where a stored key's bytes are (see {@link ObjectStore}); borrowed keys are a neighbour's and count in no tier. */
enum Tier { HEAP, SEGMENT, SPILLED, BORROWED }
