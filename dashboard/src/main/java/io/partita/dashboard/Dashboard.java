package io.partita.dashboard;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.function.Supplier;

/**
 * The scheduler's web UI. For now a single static page that polls a JSON summary; the scheduler supplies the
 * summary so this module stays free of scheduler types.
 */
public final class Dashboard {
    private static final String INDEX = "/partita-dashboard/index.html";

    private final Supplier<JsonObject> summary;
    private final Buffer index;

    public Dashboard(Supplier<JsonObject> summary) {
        this.summary = summary;
        this.index = Buffer.buffer(load(INDEX));
    }

    /** Serves {@code /} (the page) and {@code /dashboard/summary.json} on {@code router}. */
    public void mount(Router router) {
        router.get("/").handler(ctx -> ctx.response().putHeader("content-type", "text/html; charset=utf-8").end(index));
        router.get("/dashboard/summary.json").handler(ctx -> ctx.response()
                .putHeader("content-type", "application/json").end(summary.get().encode()));
    }

    private static byte[] load(String resource) {
        try (InputStream in = Dashboard.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("dashboard resource " + resource + " is missing from the jar");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
