package io.partita.scheduler.http;

import io.partita.common.auth.WebGuard;
import io.partita.common.codec.MessageCodec;
import io.partita.common.net.Causes;
import io.partita.common.protocol.ClusterInfo;
import io.partita.common.protocol.WorkerStatus;
import io.partita.scheduler.cluster.HazelcastCluster;
import io.partita.scheduler.config.SchedulerConfig;
import io.partita.scheduler.loop.SchedulerLoop;
import io.partita.scheduler.store.ArtifactStore;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client API port's routes, all behind the cluster token: the cluster's description, the workers, artifacts
 * (HEAD, GET, POST), and the client and worker WebSockets. A standby answers only {@code /api/cluster}.
 */
public final class ApiRoutes {
    private static final Logger LOG = LoggerFactory.getLogger(ApiRoutes.class);

    private final Vertx vertx;
    private final SchedulerConfig config;
    private final String schedulerId;
    private final SchedulerLoop loop;
    private final HazelcastCluster cluster;
    private final ArtifactStore artifacts;
    private final BooleanSupplier standby;
    private final ClientEndpoint clients;
    private final WorkerEndpoint workers;

    public ApiRoutes(Vertx vertx, SchedulerConfig config, String schedulerId, SchedulerLoop loop, HazelcastCluster cluster,
                     ArtifactStore artifacts, BooleanSupplier standby, WorkerEndpoint workers, String flightUri) {
        this.vertx = vertx;
        this.config = config;
        this.schedulerId = schedulerId;
        this.loop = loop;
        this.cluster = cluster;
        this.artifacts = artifacts;
        this.standby = standby;
        this.workers = workers;
        this.clients = new ClientEndpoint(loop, schedulerId, config.maxMessageBytes(), config.limits().maxClients(),
                config.limits().maxPendingGraphs(), flightUri);
    }

    public Router router() {
        Router router = Router.router(vertx);
        // host, origin and token: a page of another site cannot drive the client WebSocket either
        router.route().handler(ctx -> {
            if (WebGuard.admit(config.web(), ctx.request(), false)) {
                ctx.next();
            }
        });
        router.get("/api/cluster").handler(ctx -> HttpReplies.json(ctx, MessageCodec.toJson(new ClusterInfo(schedulerId,
                StatusRoutes.VERSION, cluster.schedulerApis()))));
        router.route("/api/*").handler(this::checkActive);
        router.get("/api/workers").handler(ctx -> HttpReplies.json(ctx, MessageCodec.toJson(loop.state().workers().stream()
                .map(w -> new WorkerStatus(w, workers.loads().get(w.workerId()))).toList())));
        router.head("/api/artifacts/:sha").handler(ctx -> withSha(ctx, sha ->
                ctx.response().setStatusCode(artifacts.contains(sha) ? 200 : 404).end()));
        router.get("/api/artifacts/:sha").handler(ctx -> withSha(ctx, sha -> sendArtifact(ctx, sha)));
        // separate routes: Vert.x wants a body handler first on its route
        router.post("/api/artifacts/:sha").handler(this::checkUploadSize);
        router.post("/api/artifacts/:sha").handler(BodyHandler.create(false).setBodyLimit(config.maxArtifactBytes()));
        router.post("/api/artifacts/:sha").handler(ctx -> withSha(ctx, sha -> storeArtifact(ctx, sha)));
        router.get("/api/client").handler(ctx -> ctx.request().toWebSocket()
                .onSuccess(ws -> clients.connected(ws, ctx.request().getParam("client")))
                .onFailure(e -> LOG.warn("client WebSocket upgrade failed: {}", e.getMessage())));
        router.get("/api/worker").handler(ctx -> ctx.request().toWebSocket()
                .onSuccess(workers::connected)
                .onFailure(e -> LOG.warn("worker WebSocket upgrade failed: {}", e.getMessage())));
        return router;
    }

    private void sendArtifact(RoutingContext ctx, String sha) {
        if (artifacts.contains(sha)) {
            artifacts.touch(sha, System.currentTimeMillis());
            ctx.response().putHeader("content-type", "application/java-archive").sendFile(artifacts.path(sha).toString())
                    .onFailure(e -> LOG.warn("sending artifact {} to {} failed: {}", sha, ctx.request().remoteAddress(),
                            Causes.describe(e)));
        } else {
            HttpReplies.text(ctx, 404, "artifact " + sha + " is not stored: upload it with POST /api/artifacts/" + sha);
        }
    }

    private void storeArtifact(RoutingContext ctx, String sha) {
        byte[] body = ctx.body().buffer() == null ? new byte[0] : ctx.body().buffer().getBytes();
        java.util.Set<String> inUse = loop.state().artifactsInUse(); // read on the loop, used off it
        boolean[] full = new boolean[1];
        vertx.executeBlocking(() -> {
            if (!artifacts.contains(sha)) {
                for (String evicted : artifacts.makeRoom(body.length, inUse::contains, System.currentTimeMillis())) {
                    LOG.info("evicted the unused jar {} to make room (--max-artifact-store)", evicted);
                    cluster.artifacts().removeAsync(evicted);
                }
                if (!artifacts.fits(body.length)) {
                    full[0] = true;
                    return "the artifact store is full: " + artifacts.totalBytes() + " bytes of jars in use or uploaded in "
                            + "the last " + ArtifactStore.GRACE_MILLIS / 60_000 + " minutes, and this one of " + body.length
                            + " bytes does not fit under --max-artifact-store " + artifacts.maxTotalBytes();
                }
            }
            String problem = artifacts.store(sha, body);
            if (problem == null) {
                cluster.artifacts().set(sha, body); // a standby taking over serves it too
            }
            return problem;
        }).onComplete(r -> {
            if (r.failed()) {
                HttpReplies.text(ctx, 500, r.cause().getMessage());
            } else if (r.result() != null) {
                HttpReplies.text(ctx, full[0] ? 507 : 400, r.result());
            } else {
                HttpReplies.text(ctx, 200, "stored " + sha);
            }
        });
    }

    /** A standby sends clients and workers to the active scheduler (503 names it); they retry with the next address. */
    private void checkActive(RoutingContext ctx) {
        if (standby.getAsBoolean()) {
            List<String> schedulers = cluster.schedulerApis();
            HttpReplies.text(ctx, 503, "this scheduler is a standby; the active one is at "
                    + (schedulers.isEmpty() ? "?" : schedulers.getFirst()));
        } else {
            ctx.next();
        }
    }

    private void checkUploadSize(RoutingContext ctx) {
        String length = ctx.request().getHeader("content-length");
        long bytes;
        try {
            bytes = length == null ? 0 : Long.parseLong(length);
        } catch (NumberFormatException e) {
            HttpReplies.text(ctx, 400, "bad content-length: " + length);
            return;
        }
        if (bytes > config.maxArtifactBytes()) {
            HttpReplies.text(ctx, 413, "artifact of " + length + " bytes is over the limit of " + config.maxArtifactBytes()
                    + " bytes (--max-artifact-size)");
        } else {
            ctx.next();
        }
    }

    private static void withSha(RoutingContext ctx, Consumer<String> handler) {
        String sha = ctx.pathParam("sha");
        if (sha == null || !sha.matches(ArtifactStore.SHA256)) {
            HttpReplies.text(ctx, 400, "'" + sha + "' is not a SHA-256 digest: use 64 lowercase hex digits");
        } else {
            handler.accept(sha);
        }
    }
}
