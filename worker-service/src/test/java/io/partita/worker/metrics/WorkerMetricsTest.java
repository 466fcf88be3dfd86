package io.partita.worker.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.partita.common.protocol.WorkerLoad;
import io.partita.common.protocol.WorkerLoad.MemoryByTier;
import io.partita.common.protocol.WorkerLoad.TransferCounters;
import io.partita.common.protocol.WorkerReport;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class WorkerMetricsTest {
    private static String text(WorkerMetrics metrics) {
        return new String(metrics.scrape(null).body(), StandardCharsets.UTF_8);
    }

    @Test
    void exportsThePublishedLoadUnderBaseUnits() {
        WorkerMetrics metrics = new WorkerMetrics("w1-42-abcd", "w1");
        assertThat(text(metrics)).contains("partita_worker_info{name=\"w1\",worker_id=\"w1-42-abcd\"} 1")
                .doesNotContain("partita_worker_stored_bytes "); // nothing published yet: no sample
        metrics.published(new WorkerLoad("w1-42-abcd", 2, 3, 4, 4096, 10, 20, 0,
                new MemoryByTier(100, 200, 300, 400, 1L << 30, 0, 500),
                new TransferCounters(11, 12, 13, 1, 2, 1500, 700, 3, 2, 2.5e8, 14, 15, 1), true));
        assertThat(text(metrics))
                .contains("partita_worker_stored_bytes 4096.0")
                .contains("partita_worker_memory_bytes{tier=\"segments\"} 200.0")
                .contains("partita_worker_memory_bytes{tier=\"spilled\"} 300.0")
                .contains("partita_worker_memory_bytes{tier=\"table_engine\"} 500.0")
                .contains("partita_worker_memory_bytes{tier=\"unmanaged\"} 400.0")
                .contains("partita_worker_memory_limit_bytes 1.073741824E9")
                .contains("partita_worker_tasks{state=\"queued\"} 3.0")
                .contains("partita_worker_transfer_bytes_total{direction=\"in\",path=\"segment\"} 11.0")
                .contains("partita_worker_transfer_bytes_total{direction=\"out\",path=\"flight\"} 13.0")
                .contains("partita_worker_spill_bytes_total 1500.0")
                .contains("partita_worker_spills_total 3.0")
                .contains("partita_worker_unspill_bytes_total 700.0")
                .contains("partita_worker_unspills_total 2.0")
                .contains("partita_worker_paused 1.0");
    }

    @Test
    void showsWhatTheTableEngineSpilledAsAGaugeOfItsOwn() {
        WorkerMetrics metrics = new WorkerMetrics("w1-42-abcd", "w1");
        metrics.tableEngine(() -> 7_000);
        assertThat(text(metrics)).contains("partita_worker_table_engine_spilled_bytes 7000.0");
    }

    @Test
    void countsTheTasksItReports() {
        WorkerMetrics metrics = new WorkerMetrics("w1-42-abcd", "w1");
        metrics.reporting(new WorkerReport.TasksDone(List.of(new WorkerReport.TaskDone("a-1", 8, "", 0, 5),
                new WorkerReport.TaskDone("a-2", 8, "", 0, 5))));
        metrics.reporting(new WorkerReport.TasksStarted(List.of("a-3")));
        assertThat(text(metrics)).contains("partita_worker_tasks_completed_total{outcome=\"done\"} 2.0")
                .contains("partita_worker_tasks_completed_total{outcome=\"failed\"} 0.0");
    }

    @Test
    void anOpenMetricsScraperGetsOpenMetrics() {
        WorkerMetrics metrics = new WorkerMetrics("w1-42-abcd", "w1");
        var scrape = metrics.scrape("application/openmetrics-text; version=1.0.0,text/plain;q=0.5");
        assertThat(scrape.contentType()).startsWith("application/openmetrics-text");
        assertThat(new String(scrape.body(), StandardCharsets.UTF_8)).endsWith("# EOF\n");
    }
}
