package io.partita.common.protocol;

import java.util.Objects;

/**
 * Where a worker serves the keys it holds: its id, the host id it shares memory on, its Flight endpoint, the
 * directories of its shared segments and of the tables it spilled (a worker on the same host maps them from there;
 * empty when it has none), and its HTTP endpoint, which also serves its segment files to peers (the bulk path; empty
 * when unknown).
 */
public record WorkerAddress(String workerId, String hostId, String flightUri, String segmentDir, String spillDir,
                            String httpUri) {
    public WorkerAddress {
        Objects.requireNonNull(workerId, "workerId");
        Objects.requireNonNull(hostId, "hostId");
        Objects.requireNonNull(flightUri, "flightUri");
        segmentDir = segmentDir == null ? "" : segmentDir;
        spillDir = spillDir == null ? "" : spillDir;
        httpUri = httpUri == null ? "" : httpUri;
    }
}
