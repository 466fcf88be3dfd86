package io.partita.common.protocol;

import java.util.List;
import java.util.Objects;

/**
 * A worker's load, sent to the scheduler twice a second ({@link WorkerReport.Load}).
 *
 * @param running        tasks executing now
 * @param queued         tasks received and not yet started
 * @param storedKeys     results held (in any tier)
 * @param storedBytes    bytes of results held (in any tier)
 * @param heapUsedBytes  JVM heap in use
 * @param processBytes   resident memory of the worker process
 * @param memory         memory by tier, against the limit
 * @param transfers      bytes moved in and out, by path
 * @param paused         true while the worker starts no tasks because its memory is over the pause fraction
 * @param cpuPercent     the worker process's CPU use over the last interval, 100 = one core busy
 * @param startedMillis  when the worker process started (wall clock): its uptime is counted from it
 * @param activity       transfers and spills that ended in the last seconds (overlapping from one load to the
 *                       next: readers skip the sequence numbers they have seen), for the dashboard's task stream
 */
public record WorkerLoad(String workerId, int running, int queued, int storedKeys, long storedBytes,
                         long heapUsedBytes, long processBytes, long timestampMillis,
                         MemoryByTier memory, TransferCounters transfers, boolean paused,
                         double cpuPercent, long startedMillis, List<Activity> activity) {
    public WorkerLoad {
        Objects.requireNonNull(workerId, "workerId");
        memory = memory == null ? MemoryByTier.EMPTY : memory;
        transfers = transfers == null ? TransferCounters.EMPTY : transfers;
        activity = activity == null ? List.of() : List.copyOf(activity);
    }

    /** A load without CPU, start time nor activity. */
    public WorkerLoad(String workerId, int running, int queued, int storedKeys, long storedBytes, long heapUsedBytes,
                      long processBytes, long timestampMillis, MemoryByTier memory, TransferCounters transfers,
                      boolean paused) {
        this(workerId, running, queued, storedKeys, storedBytes, heapUsedBytes, processBytes, timestampMillis, memory,
                transfers, paused, 0, 0, List.of());
    }

    /**
     * @param heap      bytes of stored values on the JVM heap
     * @param segments  bytes of stored tables in shared segments (memory-backed files)
     * @param spilled   bytes of stored values spilled to disk, and of what the worker's DuckDB spilled
     * @param unmanaged process memory not held by stored values nor by DuckDB (the JVM, libraries, running tasks)
     * @param limit     the worker's memory limit (0 = none)
     * @param pauseAt   process memory (heap + segments + tableEngine + unmanaged) above which the worker starts no
     *                  tasks (0 = never)
     * @param tableEngine memory held by the worker's DuckDB (hash tables, sorts and buffers of table stages), bounded
     *                  by its memory_limit; part of the process's resident memory, shown as a tier of its own
     */
    public record MemoryByTier(long heap, long segments, long spilled, long unmanaged, long limit, long pauseAt,
                               long tableEngine) {
        public static final MemoryByTier EMPTY = new MemoryByTier(0, 0, 0, 0, 0, 0, 0);

        /** Memory by tier of a worker that runs no table stages. */
        public MemoryByTier(long heap, long segments, long spilled, long unmanaged, long limit, long pauseAt) {
            this(heap, segments, spilled, unmanaged, limit, pauseAt, 0);
        }

        /** Memory by tier without a pause threshold. */
        public MemoryByTier(long heap, long segments, long spilled, long unmanaged, long limit) {
            this(heap, segments, spilled, unmanaged, limit, 0, 0);
        }
    }

    /**
     * Something a worker did besides running tasks, for the task stream.
     *
     * @param seq   increasing per worker process
     * @param kind  {@link #TRANSFER} (inputs fetched from a peer), {@link #SPILL} (written to disk) or
     *              {@link #UNSPILL} (read back from disk)
     * @param peer  the worker a transfer came from; "" otherwise
     */
    public record Activity(long seq, String kind, long startMillis, long durationMicros, long bytes, int keys,
                           String peer) {
        public static final String TRANSFER = "transfer";
        public static final String SPILL = "spill";
        public static final String UNSPILL = "unspill";

        public Activity {
            peer = peer == null ? "" : peer;
        }
    }

    /**
     * Cumulative bytes moved, by path: mapped from a neighbour's segment, fetched or served over Flight, pulled or
     * served over the bulk path (a segment file's bytes between workers); and the measured bandwidth of recent network
     * fetches, Flight or bulk (a moving average; 0 until one of at least 1 MiB was timed).
     */
    public record TransferCounters(long segmentInBytes, long flightInBytes, long flightOutBytes, long segmentInCount,
                                   long flightInCount, long spilledBytes, long unspilledBytes, long spillCount,
                                   long unspillCount, double fetchBytesPerSecond, long bulkInBytes, long bulkOutBytes,
                                   long bulkInCount) {
        public static final TransferCounters EMPTY = new TransferCounters(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
    }
}
