package io.partita.worker.http;

import io.partita.worker.WorkerServer;
import io.partita.worker.transfer.SegmentRoute;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;

/**
 * The worker's HTTP endpoints: {@code /health}, {@code /metrics} (Prometheus), {@code /api/store}, and
 * {@code /segments} (the bulk path between workers, token required: {@link SegmentRoute}).
 */
public final class WorkerHttp {
    private WorkerHttp() {}

    /** Listens on {@code host:port} (0 = any free port); the future holds the actual port. */
    public static Future<Integer> start(Vertx vertx, String host, int port, WorkerServer worker, SegmentRoute segments) {
        Router router = Router.router(vertx);
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
        // HTTP/1.1 only: segment files go out with sendfile, which an h2c-upgraded stream cannot carry (InternalHttp)
        return vertx.createHttpServer(new HttpServerOptions().setHttp2ClearTextEnabled(false)).requestHandler(router).listen(port, host).map(HttpServer::actualPort)
                .recover(e -> Future.failedFuture(new IllegalStateException("cannot listen for HTTP on " + host + ":" + port
                        + " (is the port in use? pass --http-port 0 for any free port): " + e.getMessage(), e)));
    }
}
