package io.partita.worker.metrics;

import io.partita.common.metrics.LoadMetrics;
import io.partita.common.metrics.MetricsExposition;
import io.partita.common.protocol.WorkerLoad;
import io.partita.common.protocol.WorkerReport;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Info;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A worker's {@code /metrics}: its load as it publishes it to the scheduler about once a second
 * ({@code partita_worker_*}, see {@link LoadMetrics}: memory by tier, stored results, transfers by path, spills), whether
 * it is paused, and the tasks it completed. Thread-safe.
 */
public final class WorkerMetrics {
    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final AtomicReference<WorkerLoad> latest = new AtomicReference<>();
    private final Counter completed;

    public WorkerMetrics(String workerId, String name) {
        Info.builder().name("partita_worker_info").help("This worker's id and name").labelNames("worker_id", "name")
                .register(registry).setLabelValues(workerId, name);
        LoadMetrics.register(registry, "partita_worker", "this worker", latest::get);
        GaugeWithCallback.builder().name("partita_worker_paused")
                .help("1 while this worker starts no tasks because its memory is over the pause fraction")
                .callback(cb -> {
                    WorkerLoad l = latest.get();
                    if (l != null) {
                        cb.call(l.paused() ? 1 : 0);
                    }
                }).register(registry);
        completed = Counter.builder().name("partita_worker_tasks_completed_total")
                .help("Tasks this worker ran to the end, by outcome (done: result stored, failed: raised)")
                .labelNames("outcome").register(registry);
        completed.initLabelValues("done");
        completed.initLabelValues("failed");
    }

    /**
     * What DuckDB spilled, as a gauge of its own (its memory is the {@code table_engine} tier of the memory gauge; its
     * spilled bytes are also in the {@code spilled} tier, with the spilled values).
     */
    public void tableEngine(java.util.function.LongSupplier spilled) {
        GaugeWithCallback.builder().name("partita_worker_table_engine_spilled_bytes")
                .help("bytes the worker's DuckDB spilled to its temporary folder under the spill directory")
                .callback(cb -> cb.call(spilled.getAsLong())).register(registry);
    }

    /** The load just published (what {@code /metrics} shows until the next one). */
    public void published(WorkerLoad load) {
        latest.set(load);
    }

    /** A report about to be sent to the scheduler: finished and failed tasks are counted. */
    public void reporting(WorkerReport report) {
        switch (report) {
            case WorkerReport.TasksDone d -> completed.labelValues("done").inc(d.tasks().size());
            case WorkerReport.TasksFailed f -> completed.labelValues("failed").inc(f.tasks().size());
            default -> { }
        }
    }

    public MetricsExposition.Scrape scrape(String acceptHeader) {
        return MetricsExposition.scrape(registry, acceptHeader);
    }
}
