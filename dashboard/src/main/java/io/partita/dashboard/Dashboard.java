package io.partita.dashboard;

import io.partita.common.auth.WebAccess;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.StaticHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The scheduler's web UI: three pages (status, workers, graph), their scripts and styles, ECharts from its WebJar,
 * and a live feed per page as server-sent events ({@code /dashboard/events?page=status}): the page's data as soon as
 * a viewer connects, then every {@link #PUSH_INTERVAL_MS}. A viewer that cannot keep up skips pushes rather than
 * queueing them; the task stream is sent as what is new since the viewer's cursor, so nothing is lost by a skip.
 *
 * <p>Mount it from the event loop that owns the scheduler's state: the pushes run on that loop.
 */
public final class Dashboard implements AutoCloseable {
    /**
     * How often viewers get fresh data. Task states are at most this (plus drawing) behind; worker loads, published
     * every 500 ms, at most that much more: about a second in the worst case.
     */
    public static final long PUSH_INTERVAL_MS = 400;
    private static final String RESOURCES = "/partita-dashboard/";

    private final Vertx vertx;
    private final DashboardSource source;
    private final Map<String, Buffer> pages = new HashMap<>();
    private final Set<Viewer> viewers = new LinkedHashSet<>();
    private long timer = -1;

    private static final class Viewer {
        final DashboardSource.Page page;
        final HttpServerResponse response;
        long cursor;

        Viewer(DashboardSource.Page page, HttpServerResponse response) {
            this.page = page;
            this.response = response;
        }
    }

    public Dashboard(Vertx vertx, DashboardSource source) {
        this.vertx = vertx;
        this.source = source;
        List<String> names = List.of("status", "workers", "graph");
        PageShell shell = new PageShell(new String(load(RESOURCES + "shell.html"), StandardCharsets.UTF_8), names);
        for (String page : names) {
            String part = new String(load(RESOURCES + page + ".html"), StandardCharsets.UTF_8);
            pages.put(page, Buffer.buffer(shell.render(page, part)));
        }
    }

    /**
     * Serves the pages, assets, feeds and the login page on {@code router} and starts pushing (on the calling
     * context). Who may see them is the router's guard ({@code WebGuard} with {@code access}), mounted before.
     */
    public Dashboard mount(Router router, WebAccess access) {
        new LoginPage(access, LoginPage.template(load(RESOURCES + "login.html"))).mount(router);
        router.get("/").handler(ctx -> ctx.redirect("/status"));
        for (Map.Entry<String, Buffer> page : pages.entrySet()) {
            router.get("/" + page.getKey()).handler(ctx -> ctx.response()
                    .putHeader("content-type", "text/html; charset=utf-8")
                    .putHeader("cache-control", "no-cache").end(page.getValue()));
        }
        router.get("/dashboard/assets/*").handler(StaticHandler.create("partita-dashboard/assets").setCachingEnabled(false));
        router.get("/dashboard/webjars/*").handler(StaticHandler.create("META-INF/resources/webjars").setMaxAgeSeconds(86_400));
        router.get("/dashboard/summary.json").handler(ctx -> ctx.response()
                .putHeader("content-type", "application/json").end(source.summary().encode()));
        router.get("/dashboard/data.json").handler(ctx -> withPage(ctx, page -> ctx.response()
                .putHeader("content-type", "application/json").end(source.page(page, 0).encode())));
        router.get("/dashboard/events").handler(ctx -> withPage(ctx, page -> follow(ctx, page)));
        timer = vertx.setPeriodic(PUSH_INTERVAL_MS, id -> pushAll());
        return this;
    }

    private static void withPage(RoutingContext ctx, java.util.function.Consumer<DashboardSource.Page> handler) {
        String name = ctx.queryParams().get("page");
        DashboardSource.Page page;
        try {
            page = DashboardSource.Page.valueOf(String.valueOf(name).toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            ctx.response().setStatusCode(400).putHeader("content-type", "text/plain; charset=utf-8")
                    .end("unknown page '" + name + "': use status, workers or graph");
            return;
        }
        handler.accept(page);
    }

    private void follow(RoutingContext ctx, DashboardSource.Page page) {
        HttpServerResponse response = ctx.response().setChunked(true)
                .putHeader("content-type", "text/event-stream")
                .putHeader("cache-control", "no-cache")
                .putHeader("x-accel-buffering", "no");
        Viewer viewer = new Viewer(page, response);
        viewers.add(viewer);
        response.closeHandler(v -> viewers.remove(viewer));
        response.exceptionHandler(e -> viewers.remove(viewer));
        response.write("retry: 1000\n\n"); // EventSource reconnects after 1 s when the scheduler comes back
        push(viewer, new HashMap<>());
    }

    private void pushAll() {
        Map<String, String> thisTick = new HashMap<>(); // viewers of one page at the same cursor share one answer
        for (Viewer viewer : new ArrayList<>(viewers)) {
            if (viewer.response.closed()) {
                viewers.remove(viewer);
            } else if (!viewer.response.writeQueueFull()) {
                push(viewer, thisTick);
            }
        }
    }

    private void push(Viewer viewer, Map<String, String> thisTick) {
        String data = thisTick.computeIfAbsent(viewer.page + "/" + viewer.cursor, k -> {
            JsonObject page = source.page(viewer.page, viewer.cursor);
            return page.getLong("cursor", 0L) + "\n" + page.encode(); // the next cursor, then the event
        });
        int newline = data.indexOf('\n');
        viewer.cursor = Long.parseLong(data.substring(0, newline));
        viewer.response.write("data: " + data.substring(newline + 1) + "\n\n");
    }

    /** Viewers following a page now. */
    public int viewers() {
        return viewers.size();
    }

    /** Stops pushing and ends the feeds (the scheduler is stopping). */
    @Override
    public void close() {
        if (timer >= 0) {
            vertx.cancelTimer(timer);
        }
        for (Viewer viewer : viewers) {
            if (!viewer.response.closed()) {
                viewer.response.end();
            }
        }
        viewers.clear();
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
