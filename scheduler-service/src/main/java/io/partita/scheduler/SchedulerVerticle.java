package io.partita.scheduler;

import io.partita.scheduler.cluster.ClusterSecret;
import io.partita.scheduler.cluster.HazelcastCluster;
import io.partita.scheduler.cluster.Sealer;
import io.partita.scheduler.config.SchedulerConfig;
import io.partita.scheduler.dashboard.SchedulerDashboard;
import io.partita.scheduler.failover.Failover;
import io.partita.scheduler.failover.FailoverRole.Role;
import io.partita.scheduler.flight.FlightProxy;
import io.partita.scheduler.http.ApiRoutes;
import io.partita.scheduler.http.StatusRoutes;
import io.partita.scheduler.http.WorkerEndpoint;
import io.partita.scheduler.loop.SchedulerLoop;
import io.partita.scheduler.metrics.SchedulerMetrics;
import io.partita.scheduler.state.Event;
import io.partita.scheduler.state.SchedulerState;
import io.partita.scheduler.store.ArtifactStore;
import io.partita.scheduler.store.GraphStore;
import io.partita.common.flight.FlightTls;
import io.partita.common.protocol.WorkerAddress;
import io.partita.common.tls.Tls;
import io.partita.common.tls.VertxTls;
import io.partita.common.net.PortInUse;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wires one scheduler together on its event loop: Hazelcast and the Flight proxy, the loop that owns the state, the
 * failover role, the API and dashboard servers, and the periodic events (stealing, bandwidth). Decides nothing.
 */
final class SchedulerVerticle extends VerticleBase {
    private static final Logger LOG = LoggerFactory.getLogger(SchedulerVerticle.class);
    /** How often queued work is rebalanced between workers (Dask: 100 ms). */
    private static final long STEAL_INTERVAL_MS = 100;
    private static final long BANDWIDTH_INTERVAL_MS = 2_000;

    private final SchedulerConfig config;
    private final String schedulerId;
    private final ArtifactStore artifacts;
    private final Tls tls;
    private SchedulerLoop loop;
    private HazelcastCluster cluster;
    private Failover failover;
    private WorkerEndpoint workers;
    /** Why this scheduler can no longer serve (its Hazelcast member stopped), once it happened. */
    private final Promise<String> failure = Promise.promise();
    private FlightProxy flight;
    private HttpServer api;
    private HttpServer dashboard;
    private StatusRoutes status;
    private double reportedBandwidth;

    SchedulerVerticle(SchedulerConfig config, String schedulerId, ArtifactStore artifacts, Tls tls) {
        this.config = config;
        this.schedulerId = schedulerId;
        this.artifacts = artifacts;
        this.tls = tls;
    }

    Tls tls() {
        return tls;
    }

    @Override
    public Future<?> start() {
        loop = new SchedulerLoop(context, new SchedulerState(schedulerId, config.limits(), artifacts::contains));
        Sealer sealer;
        try {
            sealer = ClusterSecret.sealer(config);
        } catch (IllegalArgumentException e) {
            return Future.failedFuture(e);
        }
        Future<HazelcastCluster> hz = vertx.executeBlocking(() -> new HazelcastCluster(config.host(), config.hazelcastPort(),
                config.clusterName(), schedulerId, config.join(), config.host() + ":" + config.port(), sealer,
                () -> context.runOnContext(v -> {
                    if (failover != null) {
                        failover.membershipChanged();
                    }
                }),
                why -> context.runOnContext(v -> failed(why))));
        Future<FlightProxy> fl = vertx.executeBlocking(() -> new FlightProxy(config.listenHost(), config.flightPort(), config.token(),
                tls, this::holdersFromOtherThread)).recover(e -> Future.failedFuture(
                        PortInUse.explain(e, "--flight-port", config.listenHost(), config.flightPort())));
        return Future.all(hz, fl).compose(v -> {
            cluster = hz.result();
            flight = fl.result();
            GraphStore graphs = new GraphStore(cluster.graphs());
            loop.storeGraphsIn(graphs);
            failover = new Failover(vertx, loop, cluster, graphs, artifacts, config.maxMessageBytes(), schedulerId);
            workers = new WorkerEndpoint(vertx, loop, cluster.workers(), config.maxMessageBytes(), config.workerTimeout().toMillis());
            SchedulerState state = loop.state();
            SchedulerMetrics metrics = new SchedulerMetrics(state, workers::loads, workers.totals(), cluster::schedulerCount,
                    () -> failover.role() == Role.ACTIVE);
            SchedulerDashboard dashboardData = new SchedulerDashboard(state, workers.loads(), this::summary, System::currentTimeMillis);
            loop.observe(metrics::observe);
            loop.observe(dashboardData::observe);
            status = new StatusRoutes(vertx, metrics, dashboardData);
            ApiRoutes routes = new ApiRoutes(vertx, config, schedulerId, loop, cluster, artifacts, this::standby, workers, flightUri());
            int vertxLimit = (int) Math.min(Integer.MAX_VALUE - 1024, config.maxMessageBytes() + (64L << 20));
            // No h2c: a file sent on a stream upgraded from HTTP/1.1 could reach the wire unframed (InternalHttp)
            HttpServerOptions options = new HttpServerOptions()
                    .setHttp2ClearTextEnabled(false)
                    .setMaxWebSocketFrameSize(vertxLimit)
                    .setMaxWebSocketMessageSize(vertxLimit);
            api = vertx.createHttpServer(VertxTls.server(options, tls)).requestHandler(routes.router());
            // TLS without client certificates: browsers open the dashboard
            dashboard = vertx.createHttpServer(VertxTls.serverWithoutClientAuth(new HttpServerOptions().setHttp2ClearTextEnabled(false), tls))
                    .requestHandler(status.router(this::summary, () -> Optional.ofNullable(failure.future().result()), config.web()));
            return Future.all(
                    api.listen(config.port(), config.listenHost()).recover(e -> Future.failedFuture(
                            PortInUse.explain(e, "--port", config.listenHost(), config.port()))),
                    dashboard.listen(config.dashboardPort(), config.listenHost()).recover(e -> Future.failedFuture(
                            PortInUse.explain(e, "--dashboard-port", config.listenHost(), config.dashboardPort()))));
        }).onSuccess(v -> {
            failover.membershipChanged();
            if (config.limits().workStealing()) {
                vertx.setPeriodic(STEAL_INTERVAL_MS, id -> loop.submit(new Event.Tick(loop.stimulus("steal"))));
            }
            vertx.setPeriodic(BANDWIDTH_INTERVAL_MS, id -> measureBandwidth());
        }).onFailure(e -> vertx.executeBlocking(() -> { // stop() is not called when start() fails
            closeQuietly(hz.result());
            closeQuietly(fl.result());
            return null;
        }));
    }

    /**
     * This scheduler cannot go on: {@code /health} answers 503 from now on, and {@link #failure()} completes, so that
     * the process exits non-zero and is restarted (by Kubernetes, or the operator's supervisor).
     */
    private void failed(String why) {
        if (failure.tryComplete(why)) {
            LOG.error("this scheduler cannot go on: {}", why);
        }
    }

    /** Completes with the reason when this scheduler can no longer serve. */
    Future<String> failure() {
        return failure.future();
    }

    /** Standby, or taking over (still reading the graphs): workers and clients are sent to the active scheduler. */
    private boolean standby() {
        Role role = failover.role();
        return role == Role.STANDBY || role == Role.TAKING_OVER;
    }

    private JsonObject summary() {
        return StatusRoutes.summary(loop.state(), schedulerId, failover.role().name().toLowerCase());
    }

    /**
     * Gives the state the mean of the workers' measured Flight bandwidths (each a moving average of their fetches,
     * published with their load) when it moved by more than 10%: placement prices the inputs a worker lacks with it.
     */
    private void measureBandwidth() {
        double mean = workers.loads().values().stream().mapToDouble(l -> l.transfers().fetchBytesPerSecond())
                .filter(b -> b > 0).average().orElse(0);
        if (mean > 0 && Math.abs(mean - reportedBandwidth) > 0.1 * reportedBandwidth) {
            reportedBandwidth = mean;
            loop.submit(new Event.BandwidthMeasured(loop.stimulus("bandwidth"), mean));
        }
    }

    @Override
    public Future<?> stop() {
        List<Future<?>> closing = new ArrayList<>();
        if (api != null) {
            closing.add(api.close());
        }
        if (status != null) {
            status.close();
        }
        if (dashboard != null) {
            closing.add(dashboard.close());
        }
        return Future.join(closing).eventually(() -> vertx.executeBlocking(() -> {
            closeQuietly(flight);
            closeQuietly(cluster);
            return null;
        }));
    }

    int apiPort() {
        return api.actualPort();
    }

    int dashboardPort() {
        return dashboard.actualPort();
    }

    int flightPort() {
        return flight.port();
    }

    String flightUri() {
        return FlightTls.uri(config.host(), flight.port(), tls);
    }

    private CompletableFuture<Map<String, List<WorkerAddress>>> holdersFromOtherThread(List<String> keys) {
        CompletableFuture<Map<String, List<WorkerAddress>>> result = new CompletableFuture<>();
        context.runOnContext(v -> result.complete(loop.state().holders(keys)));
        return result;
    }

    private static void closeQuietly(AutoCloseable c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (Exception e) {
            LOG.warn("error while closing {}: {}", c.getClass().getSimpleName(), e.getMessage());
        }
    }
}
