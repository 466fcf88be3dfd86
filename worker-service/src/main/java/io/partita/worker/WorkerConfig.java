package io.partita.worker;

import io.partita.common.auth.ClusterToken;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * Everything a worker process needs to start.
 *
 * @param memoryLimit     bytes; 0 = unlimited
 * @param flightPort      0 = any free port
 * @param httpPort        0 = any free port
 * @param connectTimeout  how long to keep trying to reach the scheduler before giving up
 */
public record WorkerConfig(String schedulerHost, int schedulerPort, int nthreads, long memoryLimit, String name,
                           String host, int flightPort, int httpPort, Path shmDir, Path spillDir,
                           Map<String, Double> resources, ClusterToken token, String hostId, Duration connectTimeout) {
    public WorkerConfig {
        Objects.requireNonNull(schedulerHost, "schedulerHost");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(token, "token");
        resources = resources == null ? Map.of() : Map.copyOf(resources);
        if (nthreads < 1) {
            throw new IllegalArgumentException("--nthreads must be at least 1, got " + nthreads);
        }
    }

    /** A worker of {@code nthreads} on loopback with free ports, for tests and embedding. */
    public static WorkerConfig local(String schedulerHost, int schedulerPort, String name, int nthreads, Path spillDir) {
        return new WorkerConfig(schedulerHost, schedulerPort, nthreads, 0, name, "127.0.0.1", 0, 0,
                Path.of("/dev/shm/partita"), spillDir, Map.of(), ClusterToken.none(), null, Duration.ofSeconds(30));
    }

    public WorkerConfig withToken(ClusterToken token) {
        return new WorkerConfig(schedulerHost, schedulerPort, nthreads, memoryLimit, name, host, flightPort, httpPort,
                shmDir, spillDir, resources, token, hostId, connectTimeout);
    }
}
