package io.partita.it.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.Page;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Measures the dashboard under a simulated load of 100 workers and 100,000 tasks in flight ({@link SimulatedCluster}):
 * how far behind the scheduler each page is when it has drawn an update, how long drawing takes in Chromium, and how
 * long the scheduler takes to answer a page. Prints the figures (and writes them to target/dashboard-load.txt); it
 * checks what the pages show, not how fast (speed is measured, never asserted). Run it with
 * {@code -Dpartita.dashboard.load=true}; docs/dashboard.md has the figures of a run.
 */
@EnabledIfSystemProperty(named = "partita.dashboard.load", matches = "true")
@Timeout(600)
class DashboardLoadTest {
    private static final int WORKERS = 100;
    private static final int TASKS = 100_000;
    private static final long SAMPLE_MS = 15_000;

    @Test
    void oneHundredWorkersAndOneHundredThousandTasks() throws Exception {
        List<String> report = new ArrayList<>();
        try (SimulatedCluster cluster = new SimulatedCluster(WORKERS, 4, 1); Browser browser = new Browser()) {
            int port = cluster.start();
            cluster.submit(TASKS);
            String base = "http://127.0.0.1:" + port;

            Page status = browser.open(base + "/status");
            status.waitForFunction("document.querySelectorAll('#memory .row').length === " + WORKERS);
            long total = ((Number) status.evaluate("[...document.querySelectorAll('#progress .row')]"
                    + ".reduce((n, r) => n + Number(r.dataset.total), 0)")).longValue();
            assertThat(total).isEqualTo(TASKS);
            assertThat(status.locator("#memory .row.paused").evaluateAll("rows => rows.map(r => r.dataset.worker)"))
                    .isEqualTo(List.of("w007", "w032", "w057", "w082"));
            // the table engine's memory (200 MiB on every simulated worker) is a tier of its own in each bar
            assertThat(status.locator("#memory .row").first().getAttribute("data-table-engine")).isEqualTo("" + (200L << 20));
            assertThat(status.locator("#memory .row .bar .engine").count()).isEqualTo(WORKERS);
            report.add(measure(cluster, status, "status"));
            assertThat(Integer.parseInt(status.getAttribute("#stream", "data-bars"))).isPositive();
            Browser.screenshot(status, "load-status");
            status.close();

            Page workers = browser.open(base + "/workers");
            workers.waitForFunction("document.querySelectorAll('#workers tbody tr').length === " + WORKERS);
            assertThat(workers.locator("#workers thead th[data-sort=tableEngine]").count()).isEqualTo(1);
            report.add(measure(cluster, workers, "workers"));
            Browser.screenshot(workers, "load-workers");
            workers.close();

            Page graph = browser.open(base + "/graph");
            graph.waitForFunction("window.partitaGraph && window.partitaGraph.mode === 'groups'");
            report.add(measure(cluster, graph, "graph"));
            Browser.screenshot(graph, "load-graph");
            graph.close();
        }
        report.forEach(System.out::println);
        Files.write(Path.of("target", "dashboard-load.txt"), report);
    }

    /** Samples the page's own figures (window.partitaStats) after each update for {@link #SAMPLE_MS}. */
    private static String measure(SimulatedCluster cluster, Page page, String name) {
        cluster.pageNanos.clear();
        List<Double> lag = new ArrayList<>();
        List<Double> render = new ArrayList<>();
        int seen = ((Number) page.evaluate("window.partitaStats.updates")).intValue();
        int first = seen;
        long end = System.currentTimeMillis() + SAMPLE_MS;
        while (System.currentTimeMillis() < end) {
            page.waitForTimeout(100);
            @SuppressWarnings("unchecked")
            Map<String, Object> s = (Map<String, Object>) page.evaluate("({...window.partitaStats})");
            int updates = ((Number) s.get("updates")).intValue();
            if (updates > seen) {
                seen = updates;
                lag.add(((Number) s.get("lagMs")).doubleValue());
                render.add(((Number) s.get("renderMs")).doubleValue());
            }
        }
        assertThat(seen).as("the %s page kept updating", name).isGreaterThan(first);
        List<Double> server;
        synchronized (cluster.pageNanos) {
            server = cluster.pageNanos.stream().map(n -> n / 1e6).toList();
        }
        long bytes = ((Number) page.evaluate("window.partitaStats.bytes")).longValue();
        Object parts = page.evaluate("JSON.stringify(window.partitaStats.parts || {}, (k, v) => typeof v === 'number' ? Math.round(v) : v)");
        return String.format(java.util.Locale.ROOT,
                "%-8s updates %3d in %d s | behind the scheduler when drawn: median %4.0f ms, max %4.0f ms"
                        + " | drawing: median %5.1f ms, max %5.1f ms | scheduler per answer: median %5.1f ms, max %5.1f ms"
                        + " | last update %,d bytes, drawn in ms by part: %s",
                name, seen - first, SAMPLE_MS / 1000, median(lag), max(lag), median(render), max(render),
                median(server), max(server), bytes, parts);
    }

    private static double median(List<Double> xs) {
        if (xs.isEmpty()) {
            return Double.NaN;
        }
        List<Double> sorted = xs.stream().sorted().toList();
        return sorted.get(sorted.size() / 2);
    }

    private static double max(List<Double> xs) {
        return xs.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
    }
}
