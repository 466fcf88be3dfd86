package io.partita.scheduler.metrics;

import io.partita.common.protocol.WorkerLoad;
import io.partita.common.protocol.WorkerLoad.MemoryByTier;
import io.partita.common.protocol.WorkerLoad.TransferCounters;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;

/**
 * The load of all workers together. Memory and task figures are the sum of the workers' latest loads. Transfer
 * counts are cumulative over the cluster's life: the last counters of every worker that ever reported, those that
 * left included (a worker's counters only grow over its life, and one that reconnects keeps its own), so the totals
 * only grow, as Prometheus expects of a counter. Thread-safe: loads arrive on the loop, scrapes come from anywhere.
 */
public final class ClusterLoad {
    private final Map<String, TransferCounters> last = new HashMap<>();

    /** A worker reported its load. */
    public synchronized void published(WorkerLoad load) {
        last.put(load.workerId(), load.transfers());
    }

    public synchronized TransferCounters transfers() {
        TransferCounters sum = TransferCounters.EMPTY;
        for (TransferCounters t : last.values()) {
            sum = plus(sum, t);
        }
        return sum;
    }
    /** The sum of {@code loads} (the workers' latest), with the cumulative transfers. */
    public WorkerLoad sum(Collection<WorkerLoad> loads) {
        int running = 0;
        int queued = 0;
        int keys = 0;
        long stored = 0;
        long heapUsed = 0;
        long process = 0;
        long heap = 0;
        long segments = 0;
        long spilled = 0;
        long unmanaged = 0;
        long tableEngine = 0;
        long limit = 0;
        int paused = 0;
        for (WorkerLoad l : loads) {
            running += l.running();
            queued += l.queued();
            keys += l.storedKeys();
            stored += l.storedBytes();
            heapUsed += l.heapUsedBytes();
            process += l.processBytes();
            MemoryByTier m = l.memory();
            heap += m.heap();
            segments += m.segments();
            spilled += m.spilled();
            unmanaged += m.unmanaged();
            tableEngine += m.tableEngine();
            limit += m.limit();
            paused += l.paused() ? 1 : 0;
        }
        return new WorkerLoad("cluster", running, queued, keys, stored, heapUsed, process, System.currentTimeMillis(),
                new MemoryByTier(heap, segments, spilled, unmanaged, limit, 0, tableEngine), transfers(), paused > 0);
    }

    private static TransferCounters plus(TransferCounters a, TransferCounters b) {
        return new TransferCounters(a.segmentInBytes() + b.segmentInBytes(), a.flightInBytes() + b.flightInBytes(),
                a.flightOutBytes() + b.flightOutBytes(), a.segmentInCount() + b.segmentInCount(),
                a.flightInCount() + b.flightInCount(), a.spilledBytes() + b.spilledBytes(),
                a.unspilledBytes() + b.unspilledBytes(), a.spillCount() + b.spillCount(),
                a.unspillCount() + b.unspillCount(), 0, // bandwidths do not add up
                a.bulkInBytes() + b.bulkInBytes(), a.bulkOutBytes() + b.bulkOutBytes(), a.bulkInCount() + b.bulkInCount());
    }
}
