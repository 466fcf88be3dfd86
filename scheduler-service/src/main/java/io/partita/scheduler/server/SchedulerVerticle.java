package io.partita.scheduler.server;

import io.partita.common.auth.ClusterToken;
import io.partita.common.codec.MessageCodec;
import io.partita.common.codec.ProtocolException;
import io.partita.common.net.Causes;
import io.partita.common.protocol.ClientRequest;
import io.partita.common.protocol.ClientUpdate;
import io.partita.common.protocol.ClusterInfo;
import io.partita.common.protocol.WorkerAddress;
import io.partita.common.protocol.WorkerCommand;
import io.partita.common.protocol.WorkerReport;
import io.partita.common.protocol.WorkerStatus;
import io.partita.dashboard.Dashboard;
import io.partita.scheduler.dashboard.SchedulerDashboard;
import io.partita.scheduler.metrics.SchedulerMetrics;
import io.partita.scheduler.state.Event;
import io.partita.scheduler.state.Instruction;
import io.partita.scheduler.state.SchedulerState;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one event loop that owns the scheduler's state: decodes messages into events, hands them to the state machine
 * in batches (everything that arrived within one loop turn), and sends the instructions it returns.
 */
final class SchedulerVerticle extends VerticleBase {
    private static final Logger LOG = LoggerFactory.getLogger(SchedulerVerticle.class);
    /** How often queued work is rebalanced between workers (Dask: 100 ms). */
    private static final long STEAL_INTERVAL_MS = 100;
    private static final long BANDWIDTH_INTERVAL_MS = 2_000;
    static final String VERSION = "0.1.0-SNAPSHOT";
    /** A scheduler taking over waits at most this long for the workers to report their keys before placing tasks. */
    static final long RECOVERY_WAIT_MS = 10_000;
    /** A client of the previous active scheduler that does not come back within this long is released. */
    static final long CLIENT_RESUME_MS = 120_000;

    /** Standby: answers only /health and /api/cluster. Recovering: accepts workers and clients, places nothing yet. */
    enum Role { STANDBY, RECOVERING, ACTIVE }

    private final SchedulerConfig config;
    private final String schedulerId;
    private final ArtifactStore artifacts;
    private final SchedulerState state;
    private final AtomicLong stimuli = new AtomicLong();
    private final Map<String, ServerWebSocket> clientSockets = new HashMap<>();
    private final Map<String, ServerWebSocket> workerSockets = new HashMap<>();
    private List<Event> pending = new ArrayList<>();
    private boolean flushScheduled;
    private HazelcastCluster cluster;
    private GraphRegistry registry;
    /**
     * Graphs ({@code clientId/requestId}) being written to Hazelcast. The state runs a graph at once, but its
     * GraphAccepted waits for the write: a client re-sends a graph that was not acknowledged when its scheduler dies.
     */
    private final Map<String, Future<Void>> storing = new HashMap<>();
    private volatile Role role = Role.STANDBY;
    private boolean takingOver;
    private FlightProxy flight;
    private HttpServer api;
    private HttpServer dashboard;
    private double reportedBandwidth;
    private SchedulerMetrics metrics;
    private SchedulerDashboard dashboardData;
    private Dashboard dashboardPages;

    SchedulerVerticle(SchedulerConfig config, String schedulerId, ArtifactStore artifacts) {
        this.config = config;
        this.schedulerId = schedulerId;
        this.artifacts = artifacts;
        this.state = new SchedulerState(schedulerId, config.limits(), artifacts::contains);
    }

    @Override
    public Future<?> start() {
        Future<HazelcastCluster> hz = vertx.executeBlocking(() -> new HazelcastCluster(config.host(), config.hazelcastPort(),
                config.clusterName(), schedulerId, config.join(), config.host() + ":" + config.port(),
                workerId -> context.runOnContext(v -> workerGone(workerId, "its Hazelcast member left")),
                () -> context.runOnContext(v -> checkRole())));
        Future<FlightProxy> fl = vertx.executeBlocking(() -> new FlightProxy(config.listenHost(), config.flightPort(), config.token(),
                this::holdersFromOtherThread));
        return Future.all(hz, fl).compose(v -> {
            cluster = hz.result();
            registry = new GraphRegistry(cluster.graphs());
            flight = fl.result();
            metrics = new SchedulerMetrics(state, cluster::loads, cluster.totals(), cluster::membersByRole,
                    () -> role == Role.ACTIVE);
            int vertxLimit = (int) Math.min(Integer.MAX_VALUE - 1024, config.maxMessageBytes() + (64L << 20));
            // No h2c: a file sent on a stream upgraded from HTTP/1.1 could reach the wire unframed (InternalHttp)
            HttpServerOptions options = new HttpServerOptions()
                    .setHttp2ClearTextEnabled(false)
                    .setMaxWebSocketFrameSize(vertxLimit)
                    .setMaxWebSocketMessageSize(vertxLimit);
            api = vertx.createHttpServer(options).requestHandler(apiRouter());
            dashboard = vertx.createHttpServer(new HttpServerOptions().setHttp2ClearTextEnabled(false))
                    .requestHandler(dashboardRouter());
            return Future.all(api.listen(config.port(), config.listenHost()), dashboard.listen(config.dashboardPort(), config.listenHost()));
        }).onSuccess(v -> {
            checkRole();
            if (config.limits().workStealing()) {
                vertx.setPeriodic(STEAL_INTERVAL_MS, id -> submit(new Event.Tick(stimulus("steal"))));
            }
            vertx.setPeriodic(BANDWIDTH_INTERVAL_MS, id -> measureBandwidth());
        }).onFailure(e -> vertx.executeBlocking(() -> { // stop() is not called when start() fails
            closeQuietly(hz.result());
            closeQuietly(fl.result());
            return null;
        }));
    }

    /**
     * Gives the state the mean of the workers' measured Flight bandwidths (each a moving average of their fetches,
     * published with their load) when it moved by more than 10%: placement prices the inputs a worker lacks with it.
     */
    private void measureBandwidth() {
        double mean = cluster.loads().values().stream().mapToDouble(l -> l.transfers().fetchBytesPerSecond())
                .filter(b -> b > 0).average().orElse(0);
        if (mean > 0 && Math.abs(mean - reportedBandwidth) > 0.1 * reportedBandwidth) {
            reportedBandwidth = mean;
            submit(new Event.BandwidthMeasured(stimulus("bandwidth"), mean));
        }
    }

    @Override
    public Future<?> stop() {
        List<Future<?>> closing = new ArrayList<>();
        if (api != null) {
            closing.add(api.close());
        }
        if (dashboardPages != null) {
            dashboardPages.close();
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
        return "grpc+tcp://" + config.host() + ":" + flight.port();
    }

    // ---- HTTP

    private Router apiRouter() {
        Router router = Router.router(vertx);
        router.route("/api/*").handler(this::checkToken);
        router.get("/api/cluster").handler(ctx -> json(ctx, MessageCodec.toJson(
                new ClusterInfo(config.clusterName(), cluster.memberAddresses(), schedulerId, VERSION, cluster.schedulerApis()))));
        router.route("/api/*").handler(this::checkActive);
        router.get("/api/workers").handler(ctx -> json(ctx, MessageCodec.toJson(state.workers().stream()
                .map(w -> new WorkerStatus(w, cluster.loads().get(w.workerId()))).toList())));
        router.head("/api/artifacts/:sha").handler(ctx -> withSha(ctx, sha ->
                ctx.response().setStatusCode(artifacts.contains(sha) ? 200 : 404).end()));
        router.get("/api/artifacts/:sha").handler(ctx -> withSha(ctx, sha -> {
            if (artifacts.contains(sha)) {
                ctx.response().putHeader("content-type", "application/java-archive").sendFile(artifacts.path(sha).toString())
                        .onFailure(e -> LOG.warn("sending artifact {} to {} failed: {}", sha, ctx.request().remoteAddress(),
                                Causes.describe(e)));
            } else {
                text(ctx, 404, "artifact " + sha + " is not stored: upload it with POST /api/artifacts/" + sha);
            }
        }));
        // separate routes: Vert.x wants a body handler first on its route
        router.post("/api/artifacts/:sha").handler(this::checkUploadSize);
        router.post("/api/artifacts/:sha").handler(BodyHandler.create(false).setBodyLimit(config.maxArtifactBytes()));
        router.post("/api/artifacts/:sha").handler(ctx -> withSha(ctx, sha -> {
                    byte[] body = ctx.body().buffer() == null ? new byte[0] : ctx.body().buffer().getBytes();
                    vertx.executeBlocking(() -> {
                        String problem = artifacts.store(sha, body);
                        if (problem == null) {
                            cluster.artifacts().set(sha, body); // a standby taking over serves it too
                        }
                        return problem;
                    }).onComplete(r -> {
                        if (r.failed()) {
                            text(ctx, 500, r.cause().getMessage());
                        } else if (r.result() != null) {
                            text(ctx, 400, r.result());
                        } else {
                            text(ctx, 200, "stored " + sha);
                        }
                    });
                }));
        router.get("/api/client").handler(ctx -> ctx.request().toWebSocket()
                .onSuccess(ws -> clientConnected(ws, ctx.request().getParam("client")))
                .onFailure(e -> LOG.warn("client WebSocket upgrade failed: {}", e.getMessage())));
        router.get("/api/worker").handler(ctx -> ctx.request().toWebSocket()
                .onSuccess(this::workerConnected)
                .onFailure(e -> LOG.warn("worker WebSocket upgrade failed: {}", e.getMessage())));
        return router;
    }

    private Router dashboardRouter() {
        Router router = Router.router(vertx);
        router.get("/health").handler(ctx -> json(ctx, summary().put("status", "ok").encode()));
        router.get("/metrics").handler(ctx -> {
            var scrape = metrics.scrape(ctx.request().getHeader("accept"));
            ctx.response().putHeader("content-type", scrape.contentType()).end(Buffer.buffer(scrape.body()));
        });
        dashboardData = new SchedulerDashboard(state, cluster.loads(), this::summary, System::currentTimeMillis);
        dashboardPages = new Dashboard(vertx, dashboardData).mount(router);
        return router;
    }

    /** A standby sends clients and workers to the active scheduler (503 names it); they retry with the next address. */
    private void checkActive(RoutingContext ctx) {
        if (role == Role.STANDBY) {
            List<String> schedulers = cluster.schedulerApis();
            text(ctx, 503, "this scheduler is a standby; the active one is at " + (schedulers.isEmpty() ? "?" : schedulers.getFirst()));
        } else {
            ctx.next();
        }
    }

    // ---- roles and failover

    /** Becomes active when this is the oldest scheduler of the cluster (at start, or when the active one left). */
    private void checkRole() {
        if (role == Role.STANDBY && !takingOver && cluster != null && cluster.isOldestScheduler()) {
            takingOver = true;
            takeOver();
        }
    }

    /**
     * Rebuilds the task state from the accepted graphs in Hazelcast, then waits (at most {@link #RECOVERY_WAIT_MS})
     * for the workers in the cluster to register and report the keys they hold, so that those are not recomputed;
     * then places tasks. Clients of the previous scheduler have {@link #CLIENT_RESUME_MS} to come back.
     */
    private void takeOver() {
        // stays STANDBY (workers and clients are turned away) until the graphs are replayed: a worker registering
        // before that would have its keys freed as unknown
        long started = System.currentTimeMillis();
        vertx.executeBlocking(() -> {
            cluster.artifacts().forEach((sha, body) -> {
                if (!artifacts.contains(sha)) {
                    artifacts.store(sha, body);
                }
            });
            return registry.load(config.maxMessageBytes());
        }).onComplete(r -> {
            List<GraphRegistry.Entry> graphs = r.succeeded() ? r.result() : List.of();
            if (r.failed()) {
                LOG.error("cannot read the accepted graphs from Hazelcast; starting without them", r.cause());
            }
            List<String> expectedWorkers = cluster.workerIds();
            submit(new Event.RecoveryStarted(stimulus("recover")));
            java.util.Set<String> clients = new java.util.LinkedHashSet<>();
            for (GraphRegistry.Entry g : graphs) {
                clients.add(g.clientId());
                metrics.graphSubmitted(g.clientId(), g.requestId(), g.request().graph().wanted());
                submit(new Event.GraphSubmitted(stimulus("replay"), g.clientId(), g.requestId(), g.request().graph()));
            }
            if (!graphs.isEmpty() || !expectedWorkers.isEmpty()) {
                LOG.info("taking over as the active scheduler: {} accepted graphs of {} clients replayed; waiting for {} workers",
                        graphs.size(), clients.size(), expectedWorkers.size());
            }
            for (String client : clients) {
                vertx.setTimer(CLIENT_RESUME_MS, id -> {
                    if (!clientSockets.containsKey(client)) {
                        LOG.info("client {} of the previous scheduler did not come back: releasing its keys", client);
                        registry.clientGone(client);
                        metrics.clientGone(client);
                        submit(new Event.ClientDisconnected(stimulus("client-gone"), client));
                    }
                });
            }
            role = Role.RECOVERING;
            awaitWorkers(expectedWorkers, started);
        });
    }

    private void awaitWorkers(List<String> expected, long started) {
        boolean all = expected.stream().allMatch(state::hasWorker);
        if (all || System.currentTimeMillis() - started > RECOVERY_WAIT_MS) {
            submit(new Event.RecoveryFinished(stimulus("recovered")));
            role = Role.ACTIVE;
            LOG.info("active scheduler {} ({} of {} workers back, {} results found on them, {} ms)", schedulerId,
                    expected.stream().filter(state::hasWorker).count(), expected.size(), state.recoveredCount(),
                    System.currentTimeMillis() - started);
        } else {
            vertx.setTimer(50, id -> awaitWorkers(expected, started));
        }
    }

    private JsonObject summary() {
        JsonObject counts = new JsonObject();
        state.countsByState().forEach((s, n) -> counts.put(s.name().toLowerCase(), n));
        return new JsonObject()
                .put("schedulerId", schedulerId)
                .put("role", role.name().toLowerCase())
                .put("version", VERSION)
                .put("workers", state.workers().size())
                .put("clients", state.clientCount())
                .put("tasks", state.taskCount())
                .put("tasksByState", counts)
                .put("tasksFinished", state.finishedCount())
                .put("tasksErred", state.erredCount())
                .put("tasksStolen", state.stolenCount())
                .put("tasksRecovered", state.recoveredCount());
    }

    private void checkToken(RoutingContext ctx) {
        if (config.token().accepts(ctx.request().getHeader(ClusterToken.HEADER))) {
            ctx.next();
        } else {
            text(ctx, 401, ClusterToken.UNAUTHENTICATED);
        }
    }

    private void checkUploadSize(RoutingContext ctx) {
        String length = ctx.request().getHeader("content-length");
        if (length != null && Long.parseLong(length) > config.maxArtifactBytes()) {
            text(ctx, 413, "artifact of " + length + " bytes is over the limit of " + config.maxArtifactBytes()
                    + " bytes (--max-artifact-size)");
        } else {
            ctx.next();
        }
    }

    private static void withSha(RoutingContext ctx, java.util.function.Consumer<String> handler) {
        String sha = ctx.pathParam("sha");
        if (sha == null || !sha.matches(ArtifactStore.SHA256)) {
            text(ctx, 400, "'" + sha + "' is not a SHA-256 digest: use 64 lowercase hex digits");
        } else {
            handler.accept(sha);
        }
    }

    private static void json(RoutingContext ctx, String body) {
        ctx.response().putHeader("content-type", "application/json").end(body);
    }

    private static void text(RoutingContext ctx, int status, String body) {
        ctx.response().setStatusCode(status).putHeader("content-type", "text/plain; charset=utf-8").end(body);
    }

    // ---- WebSockets

    private void clientConnected(ServerWebSocket ws, String resumed) {
        // a client of the previous active scheduler comes back under its id: its graphs were replayed
        String clientId = resumed != null && resumed.matches("client-[0-9a-f]{8}") ? resumed
                : "client-" + UUID.randomUUID().toString().substring(0, 8);
        ServerWebSocket previous = clientSockets.put(clientId, ws);
        if (previous != null && previous != ws) {
            previous.close();
        }
        send(ws, new ClientUpdate.Welcome(clientId, schedulerId, config.maxMessageBytes(), flightUri()));
        submit(resumed != null ? new Event.ClientResumed(stimulus("client-resume"), clientId)
                : new Event.ClientConnected(stimulus("client-connect"), clientId));
        ws.textMessageHandler(t -> send(ws, new ClientUpdate.RequestFailed(0,
                "text frames are not accepted: send each ClientRequest as one binary CBOR message")));
        ws.binaryMessageHandler(buffer -> {
            byte[] bytes = buffer.getBytes(); // a copy: decoded, and for a graph also stored as it arrived
            ClientRequest request;
            try {
                request = MessageCodec.fromCbor(bytes, ClientRequest.class, config.maxMessageBytes());
            } catch (ProtocolException e) {
                send(ws, new ClientUpdate.RequestFailed(0, e.getMessage()));
                return;
            }
            if (request instanceof ClientRequest.SubmitGraph r) { // held for long: one String per key, not two
                request = new ClientRequest.SubmitGraph(r.requestId(), r.graph().sharingStrings());
            }
            if (request instanceof ClientRequest.SubmitGraph r && registry.holds(clientId, r.requestId())) {
                // sent again after a failover, though the previous scheduler had accepted it: it was replayed
                send(ws, new ClientUpdate.GraphAccepted(r.requestId(), r.graph().tasks().size()));
                return;
            }
            String sid = stimulus("client");
            if (request instanceof ClientRequest.SubmitGraph r) {
                metrics.graphSubmitted(clientId, r.requestId(), r.graph().wanted());
                String graphId = clientId + "/" + r.requestId();
                Future<Void> stored = Future.fromCompletionStage(
                        registry.put(clientId, r.requestId(), bytes, r.graph().wanted()), context);
                storing.put(graphId, stored);
                stored.onComplete(x -> {
                    storing.remove(graphId);
                    if (x.failed()) {
                        LOG.warn("graph {} of client {} is not in Hazelcast ({}): a standby could not replay it",
                                r.requestId(), clientId, x.cause().toString());
                    }
                });
            } else if (request instanceof ClientRequest.ReleaseKeys r) {
                registry.released(clientId, r.keys());
            }
            Event event = switch (request) {
                case ClientRequest.SubmitGraph r -> new Event.GraphSubmitted(sid, clientId, r.requestId(), r.graph());
                case ClientRequest.ReleaseKeys r -> new Event.KeysReleased(sid, clientId, r.keys());
                case ClientRequest.CancelKeys r -> new Event.CancelRequested(sid, clientId, r.requestId(), r.keys());
                case ClientRequest.WhoHas r -> new Event.WhoHasAsked(sid, clientId, r.requestId(), r.keys());
                case ClientRequest.RetireWorkers r -> new Event.RetireRequested(sid, clientId, r.requestId(), r.workers());
                case ClientRequest.RegisterScattered r -> new Event.DataScattered(sid, clientId, r.requestId(), r.workerId(), r.keys());
            };
            submit(event);
        });
        ws.exceptionHandler(e -> LOG.debug("client {} connection error: {}", clientId, e.getMessage()));
        ws.closeHandler(v -> {
            if (clientSockets.remove(clientId, ws)) {
                registry.clientGone(clientId);
                metrics.clientGone(clientId);
                submit(new Event.ClientDisconnected(stimulus("client-close"), clientId));
            }
        });
    }

    private void workerConnected(ServerWebSocket ws) {
        String[] workerId = new String[1];
        ws.binaryMessageHandler(buffer -> {
            WorkerReport report;
            try {
                report = MessageCodec.fromCbor(buffer.getBytes(), WorkerReport.class, config.maxMessageBytes());
            } catch (ProtocolException e) {
                LOG.warn("ignoring a bad message from worker {}: {}", workerId[0], e.getMessage());
                return;
            }
            String sid = stimulus("worker");
            if (report instanceof WorkerReport.RegisterWorker r) {
                admitWhenMember(ws, r, sid, workerId, 0);
                return;
            }
            if (workerId[0] == null) {
                LOG.warn("ignoring {} from a worker that has not registered", report.getClass().getSimpleName());
                return;
            }
            if (report instanceof WorkerReport.TasksDone r) {
                dashboardData.tasksDone(workerId[0], r.tasks());
            }
            submit(switch (report) {
                case WorkerReport.TasksStarted r -> new Event.TasksStarted(sid, workerId[0], r.keys());
                case WorkerReport.TasksDone r -> {
                    metrics.observe(r.tasks());
                    yield new Event.TasksFinished(sid, workerId[0], r.tasks());
                }
                case WorkerReport.TasksFailed r -> new Event.TasksFailed(sid, workerId[0], r.tasks());
                case WorkerReport.FetchFailed r -> new Event.FetchFailed(sid, workerId[0], r.key(), r.dependency(),
                        r.holderWorkerId(), r.error());
                case WorkerReport.StealResponse r -> new Event.StealAnswered(sid, workerId[0], r.released(), r.kept());
                case WorkerReport.Retiring r -> new Event.WorkerRetiring(sid, workerId[0]);
                case WorkerReport.KeysAcquired r -> new Event.KeysAcquired(sid, workerId[0], r.acquired(), r.failed());
                case WorkerReport.RegisterWorker r -> throw new IllegalStateException("handled above");
            });
        });
        ws.closeHandler(v -> {
            if (workerId[0] != null && workerSockets.get(workerId[0]) == ws) {
                workerGone(workerId[0], "its connection closed");
            }
        });
    }

    /** How long a registering worker's Hazelcast member may take to show in this scheduler's view of the cluster. */
    private static final int MEMBER_CHECKS = 100;
    private static final long MEMBER_CHECK_MS = 100;

    /**
     * Registers the worker once its Hazelcast member is in the cluster (failure detection rests on it, and its load
     * comes through it). A worker whose member is not there after {@link #MEMBER_CHECKS} checks was dropped (cut off
     * by the network for longer than the heartbeat timeout, its keys recomputed elsewhere) and reconnected with its
     * old identity: it is told to restart ({@link WorkerCommand.Restart}), so that a fresh worker joins in its place.
     */
    private void admitWhenMember(ServerWebSocket ws, WorkerReport.RegisterWorker r, String sid, String[] workerId, int checks) {
        if (ws.isClosed()) {
            return;
        }
        String member = r.info().memberUuid();
        if (member != null && !member.isBlank() && !cluster.hasMember(member)) {
            if (checks < MEMBER_CHECKS) {
                vertx.setTimer(MEMBER_CHECK_MS, t -> admitWhenMember(ws, r, sid, workerId, checks + 1));
                return;
            }
            String reason = "its Hazelcast member " + member + " is not in the cluster (it was dropped, for example after "
                    + "the network cut it off for longer than the heartbeat timeout)";
            LOG.warn("worker {} ({}) tried to register, but {}: telling it to restart", r.info().name(), r.info().workerId(), reason);
            ws.writeBinaryMessage(Buffer.buffer(MessageCodec.toCbor((WorkerCommand) new WorkerCommand.Restart(reason))))
                    .onComplete(x -> ws.close());
            return;
        }
        workerId[0] = r.info().workerId();
        ServerWebSocket previous = workerSockets.put(workerId[0], ws);
        if (previous != null && previous != ws) {
            previous.close();
        }
        LOG.info("worker {} ({}) registered with {} threads", r.info().name(), r.info().workerId(), r.info().nthreads());
        submit(new Event.WorkerJoined(sid, r.info(), r.heldKeys()));
    }

    private void workerGone(String workerId, String reason) {
        ServerWebSocket ws = workerSockets.remove(workerId);
        if (ws != null) {
            ws.close();
        }
        if (state.hasWorker(workerId)) {
            LOG.info("worker {} left: {}", workerId, reason);
        }
        submit(new Event.WorkerLeft(stimulus("worker-left"), workerId, reason)); // the state ignores a second report
    }

    // ---- the loop: batch events, handle, send

    private String stimulus(String what) {
        return what + "-" + stimuli.incrementAndGet();
    }

    private void submit(Event event) {
        pending.add(event);
        if (!flushScheduled) {
            flushScheduled = true;
            context.runOnContext(v -> flush());
        }
    }

    private void flush() {
        flushScheduled = false;
        List<Event> events = pending;
        pending = new ArrayList<>();
        List<Instruction> instructions;
        try {
            instructions = state.handle(events, System.currentTimeMillis());
        } catch (RuntimeException e) {
            LOG.error("scheduler state failed on a batch of {} events; state may be inconsistent", events.size(), e);
            return;
        }
        for (Instruction instruction : instructions) {
            switch (instruction) {
                case Instruction.SendToWorker s -> {
                    ServerWebSocket ws = workerSockets.get(s.workerId());
                    if (ws != null) {
                        send(ws, s.command());
                    }
                }
                case Instruction.SendToClient s -> {
                    metrics.told(s.clientId(), s.update());
                    if (s.update() instanceof ClientUpdate.RequestFailed f) {
                        registry.refused(s.clientId(), f.requestId());
                    }
                    Future<Void> write = s.update() instanceof ClientUpdate.GraphAccepted a
                            ? storing.get(s.clientId() + "/" + a.requestId()) : null;
                    if (write == null) {
                        sendToClient(s);
                    } else {
                        write.onComplete(x -> sendToClient(s));
                    }
                }
            }
        }
    }

    private void sendToClient(Instruction.SendToClient s) {
        ServerWebSocket ws = clientSockets.get(s.clientId());
        if (ws != null) {
            send(ws, s.update());
        }
    }

    private static void send(ServerWebSocket ws, Object message) {
        if (!ws.isClosed()) {
            ws.writeBinaryMessage(Buffer.buffer(MessageCodec.toCbor(message)));
        }
    }

    private CompletableFuture<Map<String, List<WorkerAddress>>> holdersFromOtherThread(List<String> keys) {
        CompletableFuture<Map<String, List<WorkerAddress>>> result = new CompletableFuture<>();
        context.runOnContext(v -> result.complete(state.holders(keys)));
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
