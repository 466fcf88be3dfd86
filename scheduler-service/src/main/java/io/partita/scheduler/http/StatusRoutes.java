package io.partita.scheduler.http;

import io.partita.common.auth.WebAccess;
import io.partita.common.auth.WebGuard;
import io.partita.dashboard.Dashboard;
import io.partita.scheduler.dashboard.SchedulerDashboard;
import io.partita.scheduler.metrics.SchedulerMetrics;
import io.partita.scheduler.state.SchedulerState;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The dashboard port's routes: {@code /health}, {@code /metrics}, the login page and the dashboard's pages and feeds,
 * behind {@link WebGuard}.
 */
public final class StatusRoutes implements AutoCloseable {
    public static final String VERSION = "0.1.0-SNAPSHOT";

    private final Vertx vertx;
    private final SchedulerMetrics metrics;
    private final SchedulerDashboard dashboard;
    private Dashboard pages;

    public StatusRoutes(Vertx vertx, SchedulerMetrics metrics, SchedulerDashboard dashboard) {
        this.vertx = vertx;
        this.metrics = metrics;
        this.dashboard = dashboard;
    }

    /**
     * @param failure why this scheduler can no longer serve, empty while it can: {@code /health} then answers 503
     *                with {@code "status":"failed"} and the reason, so that a liveness probe restarts it
     */
    public Router router(Supplier<JsonObject> summary, Supplier<Optional<String>> failure, WebAccess access) {
        Router router = Router.router(vertx);
        router.route().handler(ctx -> {
            if (WebGuard.admit(access, ctx.request(), true)) {
                ctx.next();
            }
        });
        router.get("/health").handler(ctx -> {
            Optional<String> failed = failure.get();
            JsonObject health = summary.get().put("status", failed.isPresent() ? "failed" : "ok");
            failed.ifPresent(why -> health.put("reason", why));
            ctx.response().setStatusCode(failed.isPresent() ? 503 : 200);
            HttpReplies.json(ctx, health.encode());
        });
        router.get("/metrics").handler(ctx -> {
            var scrape = metrics.scrape(ctx.request().getHeader("accept"));
            ctx.response().putHeader("content-type", scrape.contentType()).end(Buffer.buffer(scrape.body()));
        });
        pages = new Dashboard(vertx, dashboard).mount(router, access);
        return router;
    }

    /** The scheduler's figures for /health and the dashboard's header. */
    public static JsonObject summary(SchedulerState state, String schedulerId, String role) {
        JsonObject counts = new JsonObject();
        state.countsByState().forEach((s, n) -> counts.put(s.name().toLowerCase(), n));
        return new JsonObject()
                .put("schedulerId", schedulerId)
                .put("role", role)
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

    @Override
    public void close() {
        if (pages != null) {
            pages.close();
        }
    }
}
