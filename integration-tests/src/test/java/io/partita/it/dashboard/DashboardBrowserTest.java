package io.partita.it.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import io.partita.client.Client;
import io.partita.client.SubmitOptions;
import io.partita.client.TaskFuture;
import io.partita.common.data.Partition;
import io.partita.it.ClusterProcesses;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * The dashboard in a real headless Chromium against a real cluster (a scheduler, then two workers), walked through
 * in order as a person would: empty states, both workers, progress while a graph runs, memory of a large table, the
 * workers table sorted, the graph page, and the disconnected state when the scheduler goes away. Screenshots of
 * each page are written to target/dashboard-screenshots.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(300)
class DashboardBrowserTest {
    private static final int TABLE_ROWS = 16 << 20; // 16 Mi longs: a 128 MiB table

    private ClusterProcesses cluster;
    private Browser browser;
    private Client client;
    private String base;

    @BeforeAll
    void start() throws Exception {
        cluster = ClusterProcesses.scheduler("dashboard", null);
        base = "http://127.0.0.1:" + cluster.dashboardPort;
        browser = new Browser();
    }

    @AfterAll
    void stop() {
        if (client != null) {
            client.close();
        }
        if (browser != null) {
            browser.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    @Order(1)
    void showsEmptyStatesThenBothWorkers() throws Exception {
        Page page = browser.open(base + "/");
        page.waitForURL("**/status");
        page.waitForSelector("body[data-connection=live]");
        assertThat(page.isVisible("#no-workers")).as("no workers yet").isTrue();
        assertThat(page.isVisible("#no-tasks")).as("no tasks yet").isTrue();
        Browser.screenshot(page, "status-empty");

        cluster.addWorker(2);
        cluster.addWorker(2);
        cluster.awaitWorkers(2);
        client = Client.connect(cluster.address());
        page.waitForFunction("document.querySelectorAll('#memory .row').length === 2");
        assertThat(page.locator("#memory .row").evaluateAll("rows => rows.map(r => r.dataset.worker).sort()"))
                .isEqualTo(List.of("w1", "w2"));
        assertThat(page.locator("#processing .row").count()).isEqualTo(2);
        assertThat(page.isVisible("#no-workers")).isFalse();
        assertThat(page.textContent("#summary")).contains("2 workers");
        // every limit is drawn, with the pause threshold marked below it
        page.waitForFunction("document.querySelectorAll('#memory .row .pause-mark').length === 2"); // with their first load
        assertThat(page.locator("#memory .row .limit-mark").count()).isEqualTo(2);
        assertThat(Long.parseLong(page.getAttribute("#memory .row[data-worker=w1]", "data-pause-at")))
                .isBetween(1L, Long.parseLong(page.getAttribute("#memory .row[data-worker=w1]", "data-limit")));
        page.close();
    }

    @Test
    @Order(2)
    void progressBarsAdvanceWhileAGraphRunsAndEndAtOneHundredPercent() throws Exception {
        Page page = browser.open(base + "/status");
        page.waitForSelector("body[data-connection=live]");
        int n = 60;
        List<TaskFuture<Integer>> slow = client.map(DashboardTasks.sleepThenEcho(200), IntStream.range(0, n).boxed().toList(),
                SubmitOptions.defaults().prefix("slow"));
        TaskFuture<Integer> total = client.submitWith(SubmitOptions.defaults().prefix("total"), DashboardTasks.sum(), slow);

        // what the page shows of group "slow", polled until it reads 100 %: it must have shown values in between
        TreeSet<Integer> seen = new TreeSet<>();
        Instant deadline = Instant.now().plusSeconds(120);
        Locator row = page.locator("#progress .row[data-group=slow]");
        int finished = -1;
        while (Instant.now().isBefore(deadline)) {
            if (row.count() == 1) {
                assertThat(Integer.parseInt(row.getAttribute("data-total"))).isEqualTo(n);
                finished = Integer.parseInt(row.getAttribute("data-finished"));
                seen.add(finished);
                if (finished == n) {
                    break;
                }
                if (finished > 0 && finished < n && seen.size() == 2) {
                    Browser.screenshot(page, "status-running");
                }
            }
            page.waitForTimeout(100); // the page updates twice a second: sample it faster than that
        }
        assertThat(finished).as("group 'slow' finished on the page (seen: %s)", seen).isEqualTo(n);
        assertThat(seen.stream().filter(v -> v > 0 && v < n).count()).as("values between 0 and %d: %s", n, seen)
                .isGreaterThanOrEqualTo(2);
        assertThat(total.result(Duration.ofSeconds(60))).isEqualTo(n * (n - 1) / 2);
        page.waitForFunction("() => { const r = document.querySelector('#progress .row[data-group=total]');"
                + " return r && r.dataset.finished === r.dataset.total; }");
        // the task stream drew a bar per task on the workers' threads
        page.waitForFunction("Number(document.getElementById('stream').dataset.bars) >= " + (n + 1));
        assertThat(Integer.parseInt(page.getAttribute("#stream", "data-rows"))).isBetween(2, 6);
        Browser.screenshot(page, "status");
        page.close();
    }

    @Test
    @Order(3)
    void memoryBarsShowALargePersistedTable() throws Exception {
        Page page = browser.open(base + "/status");
        page.waitForSelector("body[data-connection=live]");
        TaskFuture<Partition> table = client.submitWith(SubmitOptions.defaults().prefix("big_table"),
                DashboardTasks.longs(TABLE_ROWS));
        table.result(Duration.ofSeconds(120)); // stays held: the client keeps the future
        String holder = client.workers().stream().filter(w -> w.load() != null && w.load().memory().segments() >= 8L * TABLE_ROWS)
                .map(w -> w.info().name()).findFirst().orElse(null);
        Instant deadline = Instant.now().plusSeconds(30);
        while (holder == null && Instant.now().isBefore(deadline)) { // loads are published once a second
            page.waitForTimeout(200);
            holder = client.workers().stream().filter(w -> w.load() != null && w.load().memory().segments() >= 8L * TABLE_ROWS)
                    .map(w -> w.info().name()).findFirst().orElse(null);
        }
        assertThat(holder).as("a worker reports the table in its segments").isNotNull();
        String bar = "#memory .row[data-worker=" + holder + "]";
        page.waitForFunction("Number(document.querySelector('" + bar + "').dataset.segments) >= " + 8L * TABLE_ROWS);
        double width = ((Number) page.evaluate("parseFloat(document.querySelector('" + bar + " .bar .segments').style.width)"))
                .doubleValue() / 100;
        // 128 MiB of a 2 GiB limit (the scale of the bars): about 6 % of the bar
        assertThat(width).isBetween(0.05, 0.2);
        assertThat(page.textContent(bar + " .count")).contains("/ 2.0 GiB");
        Browser.screenshot(page, "status-memory");
        page.close();
    }

    @Test
    @Order(4)
    void workersPageListsAndSortsTheWorkers() throws Exception {
        Page page = browser.open(base + "/workers");
        page.waitForFunction("document.querySelectorAll('#workers tbody tr').length === 2");
        assertThat(names(page)).isEqualTo(List.of("w1", "w2"));
        assertThat(page.getAttribute("th[data-sort=name]", "aria-sort")).isEqualTo("ascending");
        page.click("th[data-sort=name]");
        assertThat(names(page)).isEqualTo(List.of("w2", "w1"));
        assertThat(page.getAttribute("th[data-sort=name]", "aria-sort")).isEqualTo("descending");

        // by bytes stored, largest first: the worker holding the table leads, and the order survives live updates
        String holder = client.workers().stream().max(java.util.Comparator.comparingLong(w -> w.load().storedBytes()))
                .orElseThrow().info().name();
        page.click("th[data-sort=storedBytes]");
        assertThat(page.getAttribute("th[data-sort=storedBytes]", "aria-sort")).isEqualTo("descending");
        assertThat(names(page).getFirst()).isEqualTo(holder);
        int updates = ((Number) page.evaluate("window.partitaStats.updates")).intValue();
        page.waitForFunction("window.partitaStats.updates > " + (updates + 1));
        assertThat(names(page).getFirst()).isEqualTo(holder);
        Locator row = page.locator("#workers tbody tr[data-worker=" + holder + "] td");
        assertThat(row.nth(2).textContent()).isEqualTo("2"); // threads
        assertThat(row.nth(column(page, "storedBytes")).textContent()).contains("MiB");
        assertThat(row.nth(column(page, "uptimeMs")).textContent()).matches(".*\\d+ (ms|s|min).*");
        Browser.screenshot(page, "workers");
        page.close();
    }

    @Test
    @Order(5)
    void graphPageDrawsASmallGraph() throws Exception {
        client.close(); // a new client: its tasks are the only ones left, the others are released
        client = Client.connect(cluster.address());
        cluster.waitUntil("the first client's tasks forgotten", Duration.ofSeconds(30),
                () -> cluster.health().path("tasks").asInt() == 0);
        Page page = browser.open(base + "/graph");
        page.waitForSelector("body[data-connection=live]");
        TaskFuture<Integer> a = client.submitWith(SubmitOptions.defaults().prefix("load"), DashboardTasks.constant(20));
        TaskFuture<Integer> b = client.submitWith(SubmitOptions.defaults().prefix("inc"), DashboardTasks.plus(1), a);
        TaskFuture<Integer> c = client.submitWith(SubmitOptions.defaults().prefix("double"), DashboardTasks.times(2), a);
        TaskFuture<Integer> d = client.submitWith(SubmitOptions.defaults().prefix("add"), DashboardTasks.add(), b, c);
        assertThat(d.result(Duration.ofSeconds(60))).isEqualTo(61);
        List.of(a, b, c).forEach(TaskFuture::release); // only d stays wanted: a, b and c are done and released
        awaitPage(page, "window.partitaGraph.mode === 'tasks' && window.partitaGraph.nodes === 4"
                + " && window.partitaGraph.edges === 4", "JSON.stringify(window.partitaGraph)");
        // d is held by the client (in memory); a, b and c were released once d had them (done)
        awaitPage(page, "window.partitaGraph.states.memory === 1 && window.partitaGraph.states.done === 3",
                "JSON.stringify(window.partitaGraph)");
        assertThat(page.textContent("#graph-caption")).startsWith("4 tasks, 4 dependencies");
        assertThat(page.isVisible("#graph canvas")).isTrue();
        Browser.screenshot(page, "graph");
        page.close();
    }

    @Test
    @Order(6)
    void showsDisconnectedWhenTheSchedulerGoesAway() throws Exception {
        Page page = browser.open(base + "/status");
        page.waitForSelector("body[data-connection=live]");
        cluster.schedulers().getFirst().process().destroy();
        page.waitForSelector("body[data-connection=disconnected]");
        assertThat(page.isVisible("#disconnected")).isTrue();
        assertThat(page.textContent("#connection")).isEqualTo("disconnected");
        Browser.screenshot(page, "status-disconnected");
        page.close();
    }

    /** Polls {@code condition} in the page until it holds, failing with {@code describe}'s value when it does not. */
    private static void awaitPage(Page page, String condition, String describe) {
        Instant deadline = Instant.now().plusSeconds(30);
        while (Instant.now().isBefore(deadline)) {
            if (Boolean.TRUE.equals(page.evaluate("() => { try { return !!(" + condition + "); } catch (e) { return false; } }"))) {
                return;
            }
            page.waitForTimeout(100);
        }
        throw new AssertionError("the page did not show " + condition + " within 30 s; it shows " + page.evaluate(describe));
    }

    @SuppressWarnings("unchecked")
    private static List<String> names(Page page) {
        return (List<String>) page.locator("#workers tbody tr").evaluateAll("rows => rows.map(r => r.dataset.worker)");
    }

    /** The index of the workers table's column sorted by {@code key}: the test does not depend on the column order. */
    private static int column(Page page, String key) {
        int i = ((Number) page.evaluate("[...document.querySelectorAll('#workers thead th')]"
                + ".findIndex(th => th.dataset.sort === '" + key + "')")).intValue();
        assertThat(i).as("a column sorted by " + key).isNotNegative();
        return i;
    }
}
