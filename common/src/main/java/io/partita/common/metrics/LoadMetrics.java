package io.partita.common.metrics;

import io.partita.common.protocol.WorkerLoad;
import io.partita.common.protocol.WorkerLoad.MemoryByTier;
import io.partita.common.protocol.WorkerLoad.TransferCounters;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Unit;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The metrics of a {@link WorkerLoad}, one family per figure, under a prefix: a worker exports its own load as
 * {@code partita_worker_*}, the scheduler the sum over its workers as {@code partita_cluster_*}, with the same labels
 * (memory {@code tier}; transfer {@code path} and {@code direction}).
 */
public final class LoadMetrics {
    /** Memory tiers, as in {@link MemoryByTier}. */
    public static final String HEAP = "heap", SEGMENTS = "segments", SPILLED = "spilled", UNMANAGED = "unmanaged",
            TABLE_ENGINE = "table_engine";
    /** Transfer paths: mapped from a neighbour's shared segment, or over Arrow Flight. */
    public static final String SEGMENT = "segment", FLIGHT = "flight", BULK = "bulk";

    private LoadMetrics() {}

    /**
     * Registers the load's metrics on {@code registry}.
     *
     * @param prefix {@code partita_worker} or {@code partita_cluster}
     * @param whose  for the help texts: "this worker", "all workers"
     * @param load   the load to export at each scrape; null exports no samples (not known yet)
     */
    public static void register(PrometheusRegistry registry, String prefix, String whose, Supplier<WorkerLoad> load) {
        gauge(registry, prefix + "_memory_bytes", "Memory of " + whose + " by tier: stored values on the heap, in shared "
                + "segments, spilled to disk, held by the table engine (DuckDB), and process memory not held by any of those (unmanaged)", load, l -> cb -> {
                    MemoryByTier m = l.memory();
                    cb.call(m.heap(), HEAP);
                    cb.call(m.segments(), SEGMENTS);
                    cb.call(m.spilled(), SPILLED);
                    cb.call(m.unmanaged(), UNMANAGED);
                    cb.call(m.tableEngine(), TABLE_ENGINE);
                }, "tier");
        gauge(registry, prefix + "_memory_limit_bytes", "Memory limit of " + whose + " (0: none)", load,
                l -> cb -> cb.call(l.memory().limit()));
        gauge(registry, prefix + "_process_resident_bytes", "Resident memory of the process of " + whose, load,
                l -> cb -> cb.call(l.processBytes()));
        gauge(registry, prefix + "_jvm_heap_used_bytes", "JVM heap in use by " + whose, load,
                l -> cb -> cb.call(l.heapUsedBytes()));
        gauge(registry, prefix + "_stored_bytes", "Bytes of results held by " + whose + " (any tier)", load,
                l -> cb -> cb.call(l.storedBytes()));
        gauge(registry, prefix + "_stored_keys", "Results held by " + whose + " (any tier)", load,
                l -> cb -> cb.call(l.storedKeys()));
        gauge(registry, prefix + "_tasks", "Tasks on " + whose + ": running now, or received and queued", load,
                l -> cb -> {
                    cb.call(l.running(), "running");
                    cb.call(l.queued(), "queued");
                }, "state");
        counter(registry, prefix + "_transfer_bytes", "Bytes of stored values moved by " + whose + ", by path (segment: "
                + "mapped from a neighbour's shared segment; flight: Arrow Flight; bulk: a segment file's bytes between workers) "
                + "and direction", load, l -> cb -> {
                    TransferCounters t = l.transfers();
                    cb.call(t.segmentInBytes(), SEGMENT, "in");
                    cb.call(t.flightInBytes(), FLIGHT, "in");
                    cb.call(t.flightOutBytes(), FLIGHT, "out");
                    cb.call(t.bulkInBytes(), BULK, "in");
                    cb.call(t.bulkOutBytes(), BULK, "out");
                }, "path", "direction");
        counter(registry, prefix + "_transfers", "Stored values received by " + whose + ", by path", load, l -> cb -> {
            TransferCounters t = l.transfers();
            cb.call(t.segmentInCount(), SEGMENT, "in");
            cb.call(t.flightInCount(), FLIGHT, "in");
            cb.call(t.bulkInCount(), BULK, "in");
        }, "path", "direction");
        counter(registry, prefix + "_spill_bytes", "Bytes written to disk by " + whose + " to free memory", load,
                l -> cb -> cb.call(l.transfers().spilledBytes()));
        counter(registry, prefix + "_spills", "Values spilled to disk by " + whose, load,
                l -> cb -> cb.call(l.transfers().spillCount()));
        counter(registry, prefix + "_unspill_bytes", "Bytes read back from disk by " + whose, load,
                l -> cb -> cb.call(l.transfers().unspilledBytes()));
        counter(registry, prefix + "_unspills", "Spilled values read back from disk by " + whose, load,
                l -> cb -> cb.call(l.transfers().unspillCount()));
    }

    private static void gauge(PrometheusRegistry registry, String name, String help, Supplier<WorkerLoad> load,
                              java.util.function.Function<WorkerLoad, Consumer<GaugeWithCallback.Callback>> samples,
                              String... labels) {
        GaugeWithCallback.Builder b = GaugeWithCallback.builder().name(name).help(help).labelNames(labels)
                .callback(cb -> {
                    WorkerLoad l = load.get();
                    if (l != null) {
                        samples.apply(l).accept(cb);
                    }
                });
        if (name.endsWith("_bytes")) {
            b.unit(Unit.BYTES);
        }
        b.register(registry);
    }

    private static void counter(PrometheusRegistry registry, String name, String help, Supplier<WorkerLoad> load,
                                java.util.function.Function<WorkerLoad, Consumer<CounterWithCallback.Callback>> samples,
                                String... labels) {
        CounterWithCallback.Builder b = CounterWithCallback.builder().name(name).help(help).labelNames(labels)
                .callback(cb -> {
                    WorkerLoad l = load.get();
                    if (l != null) {
                        samples.apply(l).accept(cb);
                    }
                });
        if (name.endsWith("_bytes")) {
            b.unit(Unit.BYTES);
        }
        b.register(registry);
    }
}
