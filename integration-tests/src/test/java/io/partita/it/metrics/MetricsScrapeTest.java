package io.partita.it.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.partita.client.Client;
import io.partita.client.SubmitOptions;
import io.partita.client.TaskFuture;
import io.partita.common.data.Partition;
import io.partita.common.protocol.WorkerInfo;
import io.partita.common.protocol.WorkerStatus;
import io.partita.it.ClusterProcesses;
import io.partita.it.Tables;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Scrapes {@code /metrics} on a real scheduler and its two workers before, during and after a computation, and checks
 * that the numbers move while it runs and then agree with what the client saw: tasks finished, their group's
 * durations, the graph, bytes stored, spilled and moved between the workers. The workers keep about 1 MiB of results
 * in memory ({@code --memory-target-fraction}), so some partitions are spilled to disk.
 */
@Timeout(300)
class MetricsScrapeTest {
    private static final int PARTS = 8;
    private static final int ROWS = 1 << 16; // 512 KiB of longs per partition
    private static final String GROUP = "metrics_part";
    private static final Duration LIMIT = Duration.ofSeconds(60);
    /** Of the 2 GiB limit: about 1 MiB, two partitions; a worker holding more spills the rest. */
    private static final String TARGET_FRACTION = "0.0005";

    private final HttpClient http = io.partita.common.net.InternalHttp.client(Duration.ofSeconds(5));

    @Test
    void schedulerAndWorkerMetricsFollowAComputationAndAgreeWithTheClient() throws Exception {
        Path gate = Path.of("target", "metrics-gate-" + UUID.randomUUID()).toAbsolutePath();
        try (ClusterProcesses cluster = ClusterProcesses.scheduler("metrics", null)) {
            for (int i = 0; i < 2; i++) {
                cluster.addWorker(2, "--memory-target-fraction", TARGET_FRACTION);
            }
            cluster.awaitWorkers(2);
            try (Client client = Client.connect(cluster.address())) {
                scrapeAlong(cluster, client, gate);
            }
        } finally {
            Files.deleteIfExists(gate);
        }
    }

    private void scrapeAlong(ClusterProcesses cluster, Client client, Path gate) throws Exception {
        String scheduler = "http://127.0.0.1:" + cluster.dashboardPort;
        List<String> workers = cluster.workerStatus().stream().map(WorkerStatus::info)
                .map(w -> "http://" + w.host() + ":" + w.httpPort()).toList();
        assertThat(workers).hasSize(2);

        // before: an idle cluster, every metric well formed and named partita_*
        PrometheusText before = scrape(scheduler);
        assertWellFormed(before);
        assertThat(before.value("partita_workers", "state", "idle")).isEqualTo(2);
        assertThat(before.value("partita_schedulers")).isEqualTo(1);
        assertThat(before.value("partita_scheduler_active")).isEqualTo(1);
        assertThat(before.value("partita_graphs_accepted_total")).isZero();
        assertThat(before.sum("partita_tasks")).isZero();
        assertThat(before.value("partita_cluster_memory_limit_bytes")).isEqualTo(2 * (2L << 30));
        Map<String, String> ids = new HashMap<>();
        for (String w : workers) {
            assertThat(status(w + "/health")).isEqualTo(200);
            PrometheusText m = scrape(w);
            assertWellFormed(m);
            assertThat(m.value("partita_worker_tasks_completed_total", "outcome", "done")).isZero();
            ids.put(w, m.select("partita_worker_info").getFirst().labels().get("worker_id"));
        }
        assertThat(ids.values()).containsExactlyInAnyOrderElementsOf(
                cluster.workerStatus().stream().map(WorkerStatus::info).map(WorkerInfo::workerId).toList());
        assertThat(status(scheduler + "/health")).isEqualTo(200);

        // during: every task waits for the gate, so the four threads are busy and the rest queued
        String gateFile = gate.toString();
        List<TaskFuture<Partition>> parts = client.map((Integer i) -> gated(gateFile, i),
                IntStream.range(0, PARTS).boxed().toList(), SubmitOptions.defaults().prefix(GROUP));
        cluster.waitUntil("all four task threads running, as the workers' metrics say", LIMIT,
                () -> sumOverWorkers(workers, "partita_worker_tasks", "state", "running") == 4);
        PrometheusText during = scrape(scheduler);
        assertThat(during.value("partita_tasks", "state", "processing")).isGreaterThanOrEqualTo(4);
        assertThat(during.value("partita_tasks", "state", "processing") + during.value("partita_tasks", "state", "waiting"))
                .isEqualTo(PARTS);
        assertThat(during.value("partita_tasks", "state", "memory")).isZero();
        assertThat(during.value("partita_graphs_accepted_total")).isEqualTo(1);
        assertThat(during.value("partita_graphs_open")).isEqualTo(1);
        assertThat(during.sum("partita_graphs_finished_total")).isZero();
        assertThat(during.value("partita_workers", "state", "busy")).isEqualTo(2);
        assertThat(during.value("partita_clients")).isEqualTo(1);
        assertThat(during.select("partita_task_duration_seconds_count", "group", GROUP)).isEmpty();

        // after: the client saw every task finish; the metrics say the same
        Files.createFile(gate);
        cluster.waitUntil("the client to see every partition finished", LIMIT,
                () -> parts.stream().allMatch(TaskFuture::isDone));
        long clientBytes = parts.stream().mapToLong(TaskFuture::nbytes).sum();
        assertThat(clientBytes).isGreaterThanOrEqualTo((long) PARTS * ROWS * Long.BYTES);
        cluster.waitUntil("the workers' published load to show every partition", LIMIT,
                () -> sumOverWorkers(workers, "partita_worker_stored_keys") == PARTS);
        PrometheusText after = scrape(scheduler);
        assertWellFormed(after);
        assertThat(after.value("partita_tasks", "state", "memory")).isEqualTo(PARTS);
        assertThat(after.value("partita_tasks_finished_total")).isEqualTo(PARTS);
        assertThat(after.value("partita_task_duration_seconds_count", "group", GROUP)).isEqualTo(PARTS);
        assertThat(after.value("partita_task_duration_seconds_bucket", "group", GROUP, "le", "+Inf")).isEqualTo(PARTS);
        assertThat(after.value("partita_task_duration_seconds_sum", "group", GROUP)).isPositive();
        assertThat(after.value("partita_graphs_finished_total", "outcome", "memory")).isEqualTo(1);
        assertThat(after.value("partita_graphs_open")).isZero();
        assertThat(sumOverWorkers(workers, "partita_worker_tasks_completed_total", "outcome", "done")).isEqualTo(PARTS);

        Map<String, Double> storedBefore = new HashMap<>();
        for (String w : workers) {
            PrometheusText m = scrape(w);
            storedBefore.put(w, m.value("partita_worker_stored_bytes"));
            assertThat(m.value("partita_worker_stored_keys")).isPositive(); // both workers ran some
            assertThat(m.value("partita_worker_memory_bytes", "tier", "heap") + m.value("partita_worker_memory_bytes", "tier", "segments")
                    + m.value("partita_worker_memory_bytes", "tier", "spilled")).isEqualTo(m.value("partita_worker_stored_bytes"));
            assertThat(m.value("partita_worker_memory_limit_bytes")).isEqualTo(2L << 30);
            assertThat(m.value("partita_worker_paused")).isZero();
        }
        assertThat(storedBefore.values().stream().mapToDouble(Double::doubleValue).sum()).isEqualTo(clientBytes);
        assertThat(sumOverWorkers(workers, "partita_worker_memory_bytes", "tier", "segments")).isPositive(); // tables live in segments
        assertThat(sumOverWorkers(workers, "partita_worker_memory_bytes", "tier", "spilled")).isPositive(); // ... or on disk
        assertThat(sumOverWorkers(workers, "partita_worker_spills_total")).isPositive();
        assertThat(sumOverWorkers(workers, "partita_worker_spill_bytes_total"))
                .isEqualTo(sumOverWorkers(workers, "partita_worker_memory_bytes", "tier", "spilled"));
        cluster.waitUntil("the scheduler's sum of the loads to show the same bytes", LIMIT,
                () -> scrape(scheduler).value("partita_cluster_stored_bytes") == clientBytes);

        // a task on one worker that reads every partition: the other worker's partitions move to it
        TaskFuture<Long> total = client.submit((List<Partition> ps) -> ps.stream().mapToLong(Tables::sum).sum(), parts);
        long n = (long) PARTS * ROWS;
        assertThat(total.result(LIMIT)).isEqualTo(n * (n - 1) / 2);
        cluster.waitUntil("the workers' transfer counters to count the moved partitions", LIMIT, () -> {
            double in = sumOverWorkers(workers, "partita_worker_transfer_bytes_total", "direction", "in");
            return storedBefore.values().contains(in) && in > 0; // exactly the other worker's partitions
        });
        double movedIn = sumOverWorkers(workers, "partita_worker_transfer_bytes_total", "direction", "in");
        double movedCount = sumOverWorkers(workers, "partita_worker_transfers_total", "direction", "in");
        assertThat(movedCount).isBetween(1.0, PARTS - 1.0);
        cluster.waitUntil("the scheduler's cluster counters to agree with the workers'", LIMIT, () -> {
            PrometheusText s = scrape(scheduler);
            return s.sum("partita_cluster_transfer_bytes_total", "direction", "in") == movedIn
                    && s.sum("partita_cluster_transfers_total", "direction", "in") == movedCount;
        });
        PrometheusText last = scrape(scheduler);
        assertThat(last.value("partita_tasks_finished_total")).isEqualTo(PARTS + 1);
        assertThat(last.value("partita_graphs_accepted_total")).isEqualTo(2);
        assertThat(last.value("partita_graphs_finished_total", "outcome", "memory")).isEqualTo(2);
        cluster.waitUntil("the scheduler's spill counters to agree with the workers'", LIMIT, () -> {
            PrometheusText s = scrape(scheduler);
            return s.value("partita_cluster_spill_bytes_total") == sumOverWorkers(workers, "partita_worker_spill_bytes_total")
                    && s.value("partita_cluster_spills_total") == sumOverWorkers(workers, "partita_worker_spills_total")
                    && s.value("partita_cluster_unspill_bytes_total") == sumOverWorkers(workers, "partita_worker_unspill_bytes_total")
                    && s.value("partita_cluster_unspills_total") == sumOverWorkers(workers, "partita_worker_unspills_total");
        });
        assertThat(last.value("partita_workers_paused")).isZero();

        // OpenMetrics for a scraper that asks for it
        HttpResponse<String> om = get(scheduler + "/metrics", "application/openmetrics-text; version=1.0.0");
        assertThat(om.headers().firstValue("content-type").orElse("")).startsWith("application/openmetrics-text");
        assertThat(om.body().strip()).endsWith("# EOF");
    }

    /** Waits (bounded) until {@code gate} exists, then makes partition {@code i}. Runs on a worker. */
    static Partition gated(String gate, int i) {
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (!Files.exists(Path.of(gate)) && System.nanoTime() < deadline) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        return Tables.longs((long) i * ROWS, ROWS);
    }

    private static void assertWellFormed(PrometheusText m) {
        assertThat(m.samples()).isNotEmpty();
        assertThat(m.types().keySet()).allMatch(name -> name.startsWith("partita_"));
        for (PrometheusText.Sample s : m.samples()) {
            String family = s.name().replaceFirst("_(bucket|count|sum|total|info)$", "");
            assertThat(m.type(family) != null || m.type(s.name()) != null)
                    .as("a TYPE line for %s", s.name()).isTrue();
            assertThat(s.labels()).doesNotContainKey("key"); // never a task key as a label
        }
        // histogram buckets are cumulative and end with +Inf = count
        for (PrometheusText.Sample count : m.select("partita_task_duration_seconds_count")) {
            String group = count.labels().get("group");
            List<PrometheusText.Sample> buckets = m.select("partita_task_duration_seconds_bucket", "group", group);
            for (int i = 1; i < buckets.size(); i++) {
                assertThat(buckets.get(i).value()).isGreaterThanOrEqualTo(buckets.get(i - 1).value());
            }
            assertThat(buckets.getLast().labels().get("le")).isEqualTo("+Inf");
            assertThat(buckets.getLast().value()).isEqualTo(count.value());
        }
    }

    private double sumOverWorkers(List<String> workers, String name, String... labels) {
        double sum = 0;
        for (String w : workers) {
            sum += scrape(w).sum(name, labels);
        }
        return sum;
    }

    private PrometheusText scrape(String base) {
        HttpResponse<String> r = get(base + "/metrics", null);
        assertThat(r.statusCode()).as("GET %s/metrics", base).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type").orElse("")).startsWith("text/plain; version=0.0.4");
        return PrometheusText.parse(r.body());
    }

    private int status(String url) {
        return get(url, null).statusCode();
    }

    private HttpResponse<String> get(String url, String accept) {
        HttpRequest.Builder req = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5));
        if (accept != null) {
            req.header("Accept", accept);
        }
        try {
            return http.send(req.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new AssertionError("GET " + url + " failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
