package io.partita.scheduler.metrics;

import io.partita.common.metrics.LoadMetrics;
import io.partita.common.metrics.MetricsExposition;
import io.partita.common.protocol.WorkerInfo;
import io.partita.common.protocol.WorkerLoad;
import io.partita.common.task.Keys;
import io.partita.scheduler.state.Event;
import io.partita.scheduler.state.Instruction;
import io.partita.scheduler.state.SchedulerState;
import io.partita.scheduler.state.TaskState;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Unit;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

/**
 * The scheduler's {@code /metrics}: tasks by state, task durations by group, graphs, workers by state, and the
 * workers' load summed ({@code partita_cluster_*}, see {@link LoadMetrics}). Values are read when scraped, so
 * {@link #scrape} and the {@code observe}/{@code told} hooks must run on the scheduler's loop, which owns the state.
 */
public final class SchedulerMetrics {
    /** Upper bounds of the task duration histogram, in seconds: a millisecond to ten minutes. */
    static final double[] DURATION_BUCKETS = {0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 600};
    /** Worker states as exported: each worker is in exactly one. */
    public enum WorkerState { IDLE, BUSY, PAUSED, RETIRING }

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final GraphTracker graphs = new GraphTracker();
    private final Histogram durations;

    /**
     * @param state   the scheduler's state (read on its loop)
     * @param loads   the workers' latest published loads, by worker id
     * @param totals  the loads summed, with cumulative transfers
     * @param schedulers schedulers in the Hazelcast cluster (the active one and its standbys)
     * @param active  whether this scheduler is the active one (not a standby)
     */
    public SchedulerMetrics(SchedulerState state, Supplier<Map<String, WorkerLoad>> loads, ClusterLoad totals,
                            IntSupplier schedulers, BooleanSupplier active) {
        GaugeWithCallback.builder().name("partita_tasks").help("Tasks the scheduler knows, by state (released: kept "
                        + "for lineage or a reference, waiting: for inputs or a worker, processing: sent to a worker, "
                        + "memory: result held by a worker, erred)").labelNames("state")
                .callback(cb -> {
                    Map<TaskState, Integer> counts = state.countsByState();
                    for (TaskState s : TaskState.values()) {
                        if (s != TaskState.FORGOTTEN) {
                            cb.call(counts.getOrDefault(s, 0), s.name().toLowerCase());
                        }
                    }
                }).register(registry);
        counter("partita_tasks_finished", "Tasks computed (their result reached memory)", state::finishedCount);
        counter("partita_tasks_erred", "Tasks that failed, after their retries", state::erredCount);
        counter("partita_tasks_stolen", "Tasks moved to another worker by work stealing", state::stolenCount);
        counter("partita_tasks_recovered", "Results found on workers after this scheduler took over (not recomputed)",
                state::recoveredCount);
        durations = Histogram.builder().name("partita_task_duration_seconds")
                .help("Run time of computed tasks on their worker, by task group (the key prefix)")
                .unit(Unit.SECONDS).labelNames("group").classicOnly().classicUpperBounds(DURATION_BUCKETS)
                .register(registry);

        counter("partita_graphs_accepted", "Graphs accepted", graphs::accepted);
        counter("partita_graphs_refused", "Graphs refused (invalid: the client was told why)", graphs::refused);
        CounterWithCallback.builder().name("partita_graphs_finished").help("Accepted graphs whose every wanted key "
                        + "ended: in memory, or erred or cancelled (the first such key decides)").labelNames("outcome")
                .callback(cb -> {
                    for (GraphTracker.Outcome o : GraphTracker.Outcome.values()) {
                        cb.call(graphs.finished(o), o.name().toLowerCase());
                    }
                }).register(registry);
        gauge("partita_graphs_open", "Graphs submitted and not yet finished or refused", graphs::open);
        gauge("partita_clients", "Clients connected", state::clientCount);

        GaugeWithCallback.builder().name("partita_workers").help("Workers registered, by state (idle: nothing to "
                        + "do, busy: tasks processing, paused: memory over the pause fraction, retiring)")
                .labelNames("state").callback(cb -> {
                    int[] counts = workersByState(state, loads.get());
                    for (WorkerState s : WorkerState.values()) {
                        cb.call(counts[s.ordinal()], s.name().toLowerCase());
                    }
                }).register(registry);
        gauge("partita_workers_paused", "Workers that start no tasks because their memory is over the pause fraction",
                () -> loads.get().values().stream().filter(WorkerLoad::paused).count());
        gauge("partita_workers_threads", "Task threads of all registered workers",
                () -> state.workers().stream().mapToInt(WorkerInfo::nthreads).sum());
        LoadMetrics.register(registry, "partita_cluster", "all workers", () -> totals.sum(loads.get().values()));

        gauge("partita_schedulers", "Schedulers in the cluster (the active one and its standbys), as this one's Hazelcast "
                + "member sees them", schedulers::getAsInt);
        gauge("partita_scheduler_active", "1 on the active scheduler, 0 on a standby", () -> active.getAsBoolean() ? 1 : 0);
    }

    /**
     * Follows one batch of the scheduler loop: run times of the tasks workers reported done go into the duration
     * histogram; graphs submitted or replayed, what clients were told and clients leaving feed the graph counts.
     */
    public void observe(List<Event> events, List<Instruction> instructions) {
        for (Event e : events) {
            switch (e) {
                case Event.TasksFinished t -> t.tasks().forEach(d ->
                        durations.labelValues(Keys.group(d.key())).observe(d.durationMicros() / 1e6));
                case Event.GraphSubmitted g -> graphs.submitted(g.clientId(), g.requestId(), g.graph().wanted());
                case Event.GraphReplayed g -> graphs.submitted(g.clientId(), g.requestId(), g.graph().wanted());
                case Event.ClientDisconnected c -> graphs.clientGone(c.clientId());
                default -> { }
            }
        }
        for (Instruction i : instructions) {
            if (i instanceof Instruction.SendToClient s) {
                graphs.told(s.clientId(), s.update());
            }
        }
    }

    /** Collects and writes every metric; call on the scheduler's loop. */
    public MetricsExposition.Scrape scrape(String acceptHeader) {
        return MetricsExposition.scrape(registry, acceptHeader);
    }

    static int[] workersByState(SchedulerState state, Map<String, WorkerLoad> loads) {
        int[] counts = new int[WorkerState.values().length];
        Map<String, Integer> processing = state.processingByWorker();
        for (WorkerInfo w : state.workers()) {
            WorkerLoad load = loads.get(w.workerId());
            WorkerState s = state.isRetiring(w.workerId()) ? WorkerState.RETIRING
                    : load != null && load.paused() ? WorkerState.PAUSED
                    : processing.getOrDefault(w.workerId(), 0) > 0 ? WorkerState.BUSY : WorkerState.IDLE;
            counts[s.ordinal()]++;
        }
        return counts;
    }

    private void counter(String name, String help, Supplier<? extends Number> value) {
        CounterWithCallback.builder().name(name).help(help).callback(cb -> cb.call(value.get().doubleValue()))
                .register(registry);
    }

    private void gauge(String name, String help, Supplier<? extends Number> value) {
        GaugeWithCallback.builder().name(name).help(help).callback(cb -> cb.call(value.get().doubleValue()))
                .register(registry);
    }
}
