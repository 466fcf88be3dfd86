package io.partita.worker.http;

import io.partita.common.auth.WebAccess;
import io.partita.common.auth.WebGuard;
import io.partita.common.tls.Tls;
import io.partita.common.tls.VertxTls;
import io.partita.worker.transfer.SegmentRoute;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The worker's HTTP endpoints: {@code /health}, {@code /metrics} (Prometheus), {@code /api/store}, and
 * {@code /segments} (the bulk path between workers: {@link SegmentRoute}), behind {@link WebGuard}: with a token,
 * everything but {@code /health} and {@code /metrics} needs it.
 */
public final class WorkerHttp {
    private WorkerHttp() {}

    /**
     * Listens on {@code host:port} (0 = any free port) with one server per event loop up to {@link #instances()}, all
     * on the one port: Vert.x hands each connection to the next, so the parts of a bulk transfer (one connection each,
     * sent with sendfile by the connection's event loop) go out on more than one core. The future holds the port.
     */
    /**
     * With TLS on, {@code https}; under mutual TLS a client certificate is asked for and verified when offered, and
     * {@link SegmentRoute} refuses a request without one ({@code /health} and {@code /metrics} answer probes).
     */
    public static Future<Integer> start(Vertx vertx, String host, int port, WorkerStatus worker, SegmentRoute segments,
                                        WebAccess access, Tls tls) {
        int instances = instances();
        // a negative port is Vert.x's "one random port shared by every server listening with this value"
        int listenPort = port == 0 ? -1 : port;
        AtomicInteger actual = new AtomicInteger();
        return vertx.deployVerticle(() -> new VerticleBase() {
                    @Override
                    public Future<?> start() {
                        // HTTP/1.1 only: segment files go out with sendfile, which an h2c-upgraded stream cannot carry (InternalHttp)
                        return vertx.createHttpServer(VertxTls.serverAskingClientAuth(new HttpServerOptions().setHttp2ClearTextEnabled(false), tls))
                                .requestHandler(router(vertx, worker, segments, access)).listen(listenPort, host)
                                .onSuccess(s -> actual.set(s.actualPort()));
                    }
                }, new DeploymentOptions().setInstances(instances)).map(id -> actual.get())
                .recover(e -> Future.failedFuture(new IllegalStateException("cannot listen for HTTP on " + host + ":" + port
                        + " (is the port in use? pass --http-port 0 for any free port): " + e.getMessage(), e)));
    }

    /** Servers (event loops) for the worker's HTTP port: one per core, at most 4. */
    static int instances() {
        return Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()));
    }

    private static Router router(Vertx vertx, WorkerStatus worker, SegmentRoute segments, WebAccess access) {
        Router router = Router.router(vertx);
        router.route().handler(ctx -> {
            if (WebGuard.admit(access, ctx.request(), false)) {
                ctx.next();
            }
        });
        router.get(SegmentRoute.PATH).handler(segments);
        router.get("/health").handler(ctx -> {
            boolean ok = worker.isRegistered();
            ctx.response().setStatusCode(ok ? 200 : 503).putHeader("content-type", "application/json")
                    .end(new JsonObject().put("status", ok ? "ok" : "starting").put("workerId", worker.workerId()).encode());
        });
        router.get("/metrics").handler(ctx -> {
            var scrape = worker.metrics().scrape(ctx.request().getHeader("accept"));
            ctx.response().putHeader("content-type", scrape.contentType()).end(Buffer.buffer(scrape.body()));
        });
        router.get("/api/store").handler(ctx -> ctx.response().putHeader("content-type", "application/json")
                .end(new JsonObject().put("keys", worker.store().size()).put("bytes", worker.store().bytes())
                        .put("heapBytes", worker.store().heapBytes()).put("segmentBytes", worker.store().segmentBytes())
                        .put("spilledBytes", worker.store().spilledBytes()).encode()));
        return router;
    }
}
