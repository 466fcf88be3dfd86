package io.partita.common.protocol;

/**
 * A worker's load, published into Hazelcast ({@link MemberAttributes#WORKER_LOAD_MAP}) about once a second.
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
 */
public record WorkerLoad(String workerId, int running, int queued, int storedKeys, long storedBytes,
                         long heapUsedBytes, long processBytes, long timestampMillis,
                         MemoryByTier memory, TransferCounters transfers, boolean paused) {
    public WorkerLoad {
        memory = memory == null ? MemoryByTier.EMPTY : memory;
        transfers = transfers == null ? TransferCounters.EMPTY : transfers;
    }

    /**
     * @param heap      bytes of stored values on the JVM heap
     * @param segments  bytes of stored tables in shared segments (memory-backed files)
     * @param spilled   bytes of stored values spilled to disk
     * @param unmanaged process memory not held by stored values (the JVM, libraries, running tasks)
     * @param limit     the worker's memory limit (0 = none)
     */
    public record MemoryByTier(long heap, long segments, long spilled, long unmanaged, long limit) {
        public static final MemoryByTier EMPTY = new MemoryByTier(0, 0, 0, 0, 0);
    }

    /**
     * Cumulative bytes moved, by path: mapped from a neighbour's segment, fetched over Flight, served over Flight; and
     * the measured bandwidth of recent Flight fetches (a moving average; 0 until one of at least 1 MiB was timed).
     */
    public record TransferCounters(long segmentInBytes, long flightInBytes, long flightOutBytes, long segmentInCount,
                                   long flightInCount, long spilledBytes, long unspilledBytes, long spillCount,
                                   long unspillCount, double flightInBytesPerSecond) {
        public static final TransferCounters EMPTY = new TransferCounters(0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
    }
}
