package io.partita.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The routes on a real Vert.x server: pages, every script and style they load, and the live feed with its cursor. */
@Timeout(60)
class DashboardRoutesTest {
    private Vertx vertx;
    private HttpServer server;
    private Dashboard dashboard;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
    private final List<Long> cursorsAsked = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final AtomicLong streamCursor = new AtomicLong(7);

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        DashboardSource source = new DashboardSource() {
            @Override
            public JsonObject page(Page page, long cursor) {
                cursorsAsked.add(cursor);
                return new JsonObject().put("page", page.name().toLowerCase()).put("cursor", streamCursor.incrementAndGet())
                        .put("time", System.currentTimeMillis()).put("summary", summary());
            }

            @Override
            public JsonObject summary() {
                return new JsonObject().put("role", "active").put("workers", 0);
            }
        };
        // mounted on an event-loop context, as the scheduler does
        io.vertx.core.Promise<HttpServer> started = io.vertx.core.Promise.promise();
        vertx.runOnContext(x -> {
            Router router = Router.router(vertx);
            dashboard = new Dashboard(vertx, source).mount(router, io.partita.common.auth.WebAccess.open());
            vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1").onComplete(started);
        });
        server = started.future().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @AfterEach
    void stop() throws Exception {
        vertx.runOnContext(v -> dashboard.close());
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.actualPort() + path))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void everyPageAndEverythingItLoadsIsServedFromHere() throws Exception {
        assertThat(get("/").statusCode()).isIn(301, 302, 303, 307);
        Pattern ref = Pattern.compile("(?:src|href)=\"(/[^\"]*)\"");
        for (String page : List.of("/status", "/workers", "/graph")) {
            HttpResponse<String> html = get(page);
            assertThat(html.statusCode()).isEqualTo(200);
            assertThat(html.body()).doesNotContain("http://", "https://"); // nothing from the internet
            Matcher m = ref.matcher(html.body());
            List<String> refs = new ArrayList<>();
            while (m.find()) {
                refs.add(m.group(1));
            }
            assertThat(refs).anyMatch(r -> r.endsWith(".js")).anyMatch(r -> r.endsWith(".css"));
            for (String r : refs) {
                HttpResponse<String> asset = get(r);
                assertThat(asset.statusCode()).as(page + " loads " + r).isEqualTo(200);
                assertThat(asset.body()).as(r).isNotEmpty();
            }
        }
        assertThat(get("/graph").body()).contains("/dashboard/webjars/echarts/5.3.1/dist/echarts.min.js");
    }

    @Test
    void anUnknownPageIsRefusedWithWhatExists() throws Exception {
        HttpResponse<String> r = get("/dashboard/events?page=nope");
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.body()).contains("status, workers or graph");
    }

    @Test
    void theFeedPushesAtOnceThenPeriodicallyWithTheViewersCursor() throws Exception {
        HttpResponse<java.io.InputStream> r = http.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + server.actualPort() + "/dashboard/events?page=status")).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        assertThat(r.headers().firstValue("content-type")).hasValue("text/event-stream");
        List<JsonObject> events = new ArrayList<>();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
            String line;
            while (events.size() < 3 && (line = in.readLine()) != null) {
                if (line.startsWith("data: ")) {
                    events.add(new JsonObject(line.substring(6)));
                }
            }
        }
        assertThat(events).extracting(e -> e.getString("page")).containsOnly("status");
        // each push asks for what is new since the cursor the previous push handed out
        assertThat(cursorsAsked.subList(0, 3)).containsExactly(0L, events.get(0).getLong("cursor"),
                events.get(1).getLong("cursor"));
    }
}
