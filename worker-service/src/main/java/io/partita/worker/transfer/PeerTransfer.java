package io.partita.worker.transfer;

/** How a worker fetches a table from a worker on another host (values always come over Flight). */
public enum PeerTransfer {
    /** The holder's segment file over its HTTP port ({@link SegmentPuller}); Flight when that fails. */
    BULK,
    /** Flight {@code DoGet} only. */
    FLIGHT
}
