package io.partita.common.protocol;

import java.util.Objects;

/** Where a worker serves the keys it holds: its id, the host id it shares segments on, and its Flight endpoint. */
public record WorkerAddress(String workerId, String hostId, String flightUri) {
    public WorkerAddress {
        Objects.requireNonNull(workerId, "workerId");
        Objects.requireNonNull(hostId, "hostId");
        Objects.requireNonNull(flightUri, "flightUri");
    }
}
