package io.partita.common.protocol;

import java.util.Map;
import java.util.Objects;

/**
 * Who a worker is, as it tells the scheduler when it registers.
 *
 * @param memoryLimit bytes; 0 when unlimited
 * @param segmentDir  the directory holding this worker's shared segments (its own folder under {@code --shm-dir})
 * @param spillDir    the directory holding the tables this worker spilled (same file format and names)
 */
public record WorkerInfo(String workerId, String name, String host, String hostId, String flightUri, int httpPort,
                         int nthreads, long memoryLimit, Map<String, Double> resources, long pid,
                         String segmentDir, String spillDir) {
    public WorkerInfo {
        Objects.requireNonNull(workerId, "workerId");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(hostId, "hostId");
        Objects.requireNonNull(flightUri, "flightUri");
        resources = resources == null ? Map.of() : Map.copyOf(resources);
        segmentDir = segmentDir == null ? "" : segmentDir;
        spillDir = spillDir == null ? "" : spillDir;
        if (nthreads < 1) {
            throw new IllegalArgumentException("worker " + name + " must have at least one thread");
        }
    }

    /** Where peers reach this worker; its HTTP port speaks TLS ({@code https}) when its Flight server does. */
    public WorkerAddress address() {
        String scheme = flightUri.startsWith("grpc+tls:") ? "https://" : "http://";
        return new WorkerAddress(workerId, hostId, flightUri, segmentDir, spillDir,
                httpPort > 0 ? scheme + (host.contains(":") ? "[" + host + "]" : host) + ":" + httpPort : "");
    }
}
