package io.partita.worker;

import io.partita.common.auth.ClusterToken;
import io.partita.common.auth.WebAccess;
import io.partita.common.config.SchedulerAddresses;
import io.partita.common.tls.TlsConfig;
import io.partita.worker.memory.MemoryPolicy;
import io.partita.worker.transfer.PeerTransfer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Everything a worker process needs to start.
 *
 * @param schedulers      the schedulers to register with (the active one accepts, standbys refuse)
 * @param memoryLimit     bytes; 0 = unlimited
 * @param flightPort      0 = any free port
 * @param httpPort        0 = any free port
 * @param connectTimeout  how long to keep trying to reach a scheduler before giving up (at start, and after losing it)
 * @param shmDir          root of the shared-memory folders; this worker's segments go to {@code shmDir/<workerId>}
 * @param memory          target / spill / pause / terminate fractions of {@code memoryLimit} (0 = off)
 * @param peerTransfer    how tables come from workers on other hosts (bulk path, or Flight only)
 * @param host            the address announced to the scheduler, other workers and clients (Flight and bulk-path
 *                        URIs) and the Hazelcast member's interface
 * @param listenHost      where the Flight server and the HTTP port listen ({@code 0.0.0.0}: every interface);
 *                        {@code host} when null
 * @param web             who may use the HTTP port (host names, origins, the token); from the token alone when null
 * @param tls             TLS on the worker's Flight and HTTP ports and on its calls (scheduler, other workers);
 *                        {@link TlsConfig#none()} when null
 */
public record WorkerConfig(SchedulerAddresses schedulers, int nthreads, long memoryLimit, String name,
                           String host, int flightPort, int httpPort, Path shmDir, Path spillDir,
                           Map<String, Double> resources, ClusterToken token, String hostId, Duration connectTimeout,
                           MemoryPolicy memory, PeerTransfer peerTransfer, String listenHost, WebAccess web, TlsConfig tls) {
    /** Without TLS. */
    public WorkerConfig(SchedulerAddresses schedulers, int nthreads, long memoryLimit, String name,
                        String host, int flightPort, int httpPort, Path shmDir, Path spillDir,
                        Map<String, Double> resources, ClusterToken token, String hostId, Duration connectTimeout,
                        MemoryPolicy memory, PeerTransfer peerTransfer, String listenHost) {
        this(schedulers, nthreads, memoryLimit, name, host, flightPort, httpPort, shmDir, spillDir, resources, token,
                hostId, connectTimeout, memory, peerTransfer, listenHost, null, null);
    }

    /** Listening where it announces itself ({@code host}). */
    public WorkerConfig(SchedulerAddresses schedulers, int nthreads, long memoryLimit, String name,
                        String host, int flightPort, int httpPort, Path shmDir, Path spillDir,
                        Map<String, Double> resources, ClusterToken token, String hostId, Duration connectTimeout,
                        MemoryPolicy memory, PeerTransfer peerTransfer) {
        this(schedulers, nthreads, memoryLimit, name, host, flightPort, httpPort, shmDir, spillDir, resources, token,
                hostId, connectTimeout, memory, peerTransfer, null, null, null);
    }

    /** With the default memory fractions (0.6 / 0.7 / 0.8 / 0.95) and the bulk path. */
    public WorkerConfig(SchedulerAddresses schedulers, int nthreads, long memoryLimit, String name,
                        String host, int flightPort, int httpPort, Path shmDir, Path spillDir,
                        Map<String, Double> resources, ClusterToken token, String hostId, Duration connectTimeout) {
        this(schedulers, nthreads, memoryLimit, name, host, flightPort, httpPort, shmDir, spillDir,
                resources, token, hostId, connectTimeout, MemoryPolicy.defaults(memoryLimit), PeerTransfer.BULK);
    }

    public WorkerConfig {
        Objects.requireNonNull(schedulers, "schedulers");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(token, "token");
        listenHost = listenHost == null || listenHost.isBlank() ? host : listenHost;
        web = web == null ? new WebAccess(token, List.of(host, listenHost), List.of(), false) : web;
        if (host.equals("0.0.0.0") || host.equals("::") || host.equals("[::]")) {
            throw new IllegalArgumentException("--host " + host + " cannot be announced to other processes: give the "
                    + "address they reach this worker at, and --listen-address " + host + " to listen on every interface");
        }
        resources = resources == null ? Map.of() : Map.copyOf(resources);
        shmDir = shmDir == null ? Path.of("/dev/shm/partita") : shmDir;
        peerTransfer = peerTransfer == null ? PeerTransfer.BULK : peerTransfer;
        tls = tls == null ? TlsConfig.none() : tls;
        if (tls.enabled() && !tls.hasCertificate()) {
            throw new IllegalArgumentException("a worker serves Flight and HTTP over TLS: give it --tls-cert and --tls-key");
        }
        memory = memory == null ? MemoryPolicy.defaults(memoryLimit)
                : new MemoryPolicy(memoryLimit, memory.target(), memory.spill(), memory.pause(), memory.terminate());
        if (nthreads < 1) {
            throw new IllegalArgumentException("--nthreads must be at least 1, got " + nthreads);
        }
    }

    /** A worker of {@code nthreads} on loopback with free ports, for tests and embedding. */
    public static WorkerConfig local(String schedulerHost, int schedulerPort, String name, int nthreads, Path spillDir) {
        return new WorkerConfig(SchedulerAddresses.parse(schedulerHost + ":" + schedulerPort), nthreads, 0, name, "127.0.0.1", 0, 0,
                Path.of("/dev/shm/partita"), spillDir, Map.of(), ClusterToken.none(), null, Duration.ofSeconds(30));
    }

    public WorkerConfig withConnectTimeout(Duration timeout) {
        return new WorkerConfig(schedulers, nthreads, memoryLimit, name, host, flightPort, httpPort,
                shmDir, spillDir, resources, token, hostId, timeout, memory, peerTransfer, listenHost, web, tls);
    }

    public WorkerConfig withToken(ClusterToken token) {
        return new WorkerConfig(schedulers, nthreads, memoryLimit, name, host, flightPort, httpPort,
                shmDir, spillDir, resources, token, hostId, connectTimeout, memory, peerTransfer, listenHost, null, tls);
    }

    public WorkerConfig withTls(TlsConfig tls) {
        return new WorkerConfig(schedulers, nthreads, memoryLimit, name, host, flightPort, httpPort,
                shmDir, spillDir, resources, token, hostId, connectTimeout, memory, peerTransfer, listenHost, web, tls);
    }
}
