package io.partita.scheduler.config;

import io.partita.common.auth.ClusterToken;
import io.partita.common.auth.WebAccess;
import io.partita.common.config.Ports;
import io.partita.common.tls.TlsConfig;
import io.partita.scheduler.state.SchedulerLimits;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Everything the scheduler process needs to start. Ports may be 0 (any free port) except the Hazelcast port.
 *
 * @param artifactDir where uploaded jars are kept; null for a fresh temporary directory
 * @param limits      the state machine's tunables (graph size, allowed failures, work stealing)
 * @param join        Hazelcast addresses ({@code host:port}) of other schedulers to join as a standby; empty for
 *                    the first scheduler of a cluster
 * @param listenHost  where the client API, dashboard and Flight proxy listen; {@code host} (the address announced to
 *                    workers and clients, and the Hazelcast member address) when null. {@code 0.0.0.0} in a
 *                    Kubernetes pod, so that {@code kubectl port-forward}, which connects to localhost, reaches them
 * @param clusterSecretFile a file whose content seals what the schedulers keep in Hazelcast; null to seal with the
 *                    token. One of the two is required when the scheduler listens on an address off loopback
 * @param workerTimeout how long a registered worker may stay silent (no load, no report) before it is declared lost
 * @param web         who may use the HTTP ports (host names, origins, the token); from the token alone when null
 * @param maxArtifactStoreBytes all the jars kept together, on disk (and sealed in Hazelcast for a standby); 0 for
 *                    the default
 * @param tls         TLS on the API, the dashboard and the Flight proxy (and towards the workers' Flight servers);
 *                    {@link TlsConfig#none()} when null
 */
public record SchedulerConfig(String host, int port, int dashboardPort, int flightPort, int hazelcastPort,
                              String clusterName, ClusterToken token, long maxMessageBytes,
                              long maxArtifactBytes, Path artifactDir, SchedulerLimits limits,
                              List<String> join, String listenHost, Path clusterSecretFile,
                              Duration workerTimeout, WebAccess web, long maxArtifactStoreBytes, TlsConfig tls) {

    /** Twenty heartbeats (a load every 500 ms): a worker's GC pause or a loaded machine does not cost its keys. */
    public static final Duration DEFAULT_WORKER_TIMEOUT = Duration.ofSeconds(10);

    /** Jars are megabytes: this holds hundreds, and what a standby keeps on its heap stays bounded. */
    public static final long DEFAULT_MAX_ARTIFACT_STORE = 2L << 30;

    public SchedulerConfig {
        listenHost = listenHost == null || listenHost.isBlank() ? host : listenHost;
        workerTimeout = workerTimeout == null ? DEFAULT_WORKER_TIMEOUT : workerTimeout;
        web = web == null ? new WebAccess(token, List.of(host, listenHost), List.of(), false) : web;
        maxArtifactStoreBytes = maxArtifactStoreBytes > 0 ? maxArtifactStoreBytes : DEFAULT_MAX_ARTIFACT_STORE;
        tls = tls == null ? TlsConfig.none() : tls;
    }

    /** Without TLS. */
    public SchedulerConfig(String host, int port, int dashboardPort, int flightPort, int hazelcastPort,
                           String clusterName, ClusterToken token, long maxMessageBytes,
                           long maxArtifactBytes, Path artifactDir, SchedulerLimits limits,
                           List<String> join, String listenHost, Path clusterSecretFile, Duration workerTimeout) {
        this(host, port, dashboardPort, flightPort, hazelcastPort, clusterName, token, maxMessageBytes, maxArtifactBytes,
                artifactDir, limits, join, listenHost, clusterSecretFile, workerTimeout, null, 0, null);
    }

    /** Listening where it announces itself ({@code host}). */
    public SchedulerConfig(String host, int port, int dashboardPort, int flightPort, int hazelcastPort,
                           String clusterName, ClusterToken token, long maxMessageBytes,
                           long maxArtifactBytes, Path artifactDir, SchedulerLimits limits, List<String> join) {
        this(host, port, dashboardPort, flightPort, hazelcastPort, clusterName, token, maxMessageBytes, maxArtifactBytes,
                artifactDir, limits, join, null, null, null, null, 0, null);
    }

    public static SchedulerConfig defaults() {
        return new SchedulerConfig("127.0.0.1", Ports.SCHEDULER_API, Ports.SCHEDULER_DASHBOARD, Ports.SCHEDULER_FLIGHT_PROXY,
                Ports.HAZELCAST, "partita", ClusterToken.none(), 256L << 20, 512L << 20, null, SchedulerLimits.defaults(), List.of());
    }

    public SchedulerConfig withToken(ClusterToken token) {
        return new SchedulerConfig(host, port, dashboardPort, flightPort, hazelcastPort, clusterName, token,
                maxMessageBytes, maxArtifactBytes, artifactDir, limits, join, listenHost, clusterSecretFile, workerTimeout, null, maxArtifactStoreBytes, tls);
    }

    public SchedulerConfig withTls(TlsConfig tls) {
        return new SchedulerConfig(host, port, dashboardPort, flightPort, hazelcastPort, clusterName, token,
                maxMessageBytes, maxArtifactBytes, artifactDir, limits, join, listenHost, clusterSecretFile, workerTimeout, web, maxArtifactStoreBytes, tls);
    }
}
