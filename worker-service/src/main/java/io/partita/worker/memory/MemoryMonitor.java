package io.partita.worker.memory;

import io.partita.common.protocol.WorkerLoad.MemoryByTier;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Samples the worker's memory every {@link #PERIOD_MS} on its own thread (never an event loop) and carries out the
 * {@link MemoryPolicy}: spills, pauses and resumes task starts, and terminates the process when over the
 * terminate fraction.
 *
 * <p>What counts: managed = heap tier + segments tier (stored values in memory); process = the process's private
 * resident memory (resident minus file-backed/shared pages, from {@code /proc/self/statm}) + the segments tier (the
 * segment files live in tmpfs, which counts against a container's limit). Subtracting the shared pages keeps the
 * segments this process maps from being counted twice.
 *
 * <p>Constructing a monitor also sets the store's memory limit ({@link SpillableStore#limitMemory}): the store makes
 * room synchronously before each write, with the same policy and resident-memory reading; this periodic sample is
 * the safety net for memory the store does not see (task buffers, the JVM itself).
 */
public final class MemoryMonitor implements AutoCloseable {
    public static final long PERIOD_MS = 150;
    /** Exit code of a worker that ended itself over the terminate fraction. */
    public static final int EXIT_MEMORY = 3;
    private static final Logger LOG = LoggerFactory.getLogger(MemoryMonitor.class);

    private final SpillableStore store;
    private final MemoryPolicy policy;
    private final LongSupplier residentBytes;
    private final Consumer<Boolean> onPause;
    private final Runnable onTerminate;
    private final ScheduledExecutorService timer;
    private volatile boolean paused;
    private volatile long lastResident;
    private boolean terminating;
    /** DuckDB's memory and spilled bytes (the table engine), shown as tiers of their own; none until set. */
    private volatile LongSupplier tableEngineBytes = () -> 0;
    private volatile LongSupplier tableEngineSpilledBytes = () -> 0;

    /**
     * @param residentBytes the process's resident memory not counting the segments it maps
     * @param onPause       told true when task starts must pause, false when they may resume
     * @param onTerminate   ends the process (after the monitor logged why)
     */
    public MemoryMonitor(SpillableStore store, MemoryPolicy policy, LongSupplier residentBytes, Consumer<Boolean> onPause,
                         Runnable onTerminate) {
        this.store = store;
        this.policy = policy;
        this.residentBytes = residentBytes;
        this.onPause = onPause;
        this.onTerminate = onTerminate;
        store.limitMemory(policy, residentBytes);
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "partita-memory-monitor");
            t.setDaemon(true);
            return t;
        });
    }

    public MemoryMonitor start() {
        timer.scheduleWithFixedDelay(this::tickQuietly, PERIOD_MS, PERIOD_MS, TimeUnit.MILLISECONDS);
        return this;
    }

    private void tickQuietly() {
        try {
            tick();
        } catch (RuntimeException e) {
            LOG.warn("memory monitor: {}", e.toString());
        }
    }

    /** One sample and its consequences; public for tests. */
    public void tick() {
        if (terminating) {
            return;
        }
        long resident = residentBytes.getAsLong();
        lastResident = resident;
        long managed = store.heapBytes() + store.segmentBytes();
        long process = resident + store.sharedMemoryBytes();
        MemoryPolicy.Decision d = policy.decide(managed, process, store::spillCandidates);
        if (!d.spill().isEmpty() && store.dropSpares() > 0) { // spare segment files go before any key is spilled
            process = resident + store.sharedMemoryBytes();
            d = policy.decide(managed, process, store::spillCandidates);
        }
        if (d.terminate()) {
            terminating = true;
            LOG.error("worker memory {} is over the terminate fraction {} of the limit {}: this worker exits "
                            + "(code {}) and the scheduler recomputes its keys elsewhere; raise --memory-limit or give "
                            + "tasks smaller partitions", mib(process), policy.terminate(), mib(policy.limit()), EXIT_MEMORY);
            onTerminate.run();
            return;
        }
        long spilled = 0;
        for (String key : d.spill()) {
            spilled += store.spill(key);
        }
        if (spilled > 0) {
            LOG.debug("spilled {} keys ({}): managed memory {}, process {} = private resident {} + segments {}",
                    d.spill().size(), mib(spilled), mib(managed), mib(process), mib(resident), mib(process - resident));
        }
        boolean pause = policy.paused(resident + store.sharedMemoryBytes());
        if (pause != paused) {
            paused = pause;
            if (pause) {
                LOG.warn("worker memory {} is over the pause fraction {} of the limit {}: starting no new tasks "
                        + "until it falls (spilling what it can)", mib(resident + store.sharedMemoryBytes()), policy.pause(),
                        mib(policy.limit()));
            } else {
                LOG.info("worker memory is under the pause fraction again: starting tasks");
            }
            onPause.accept(pause);
        }
    }

    private static String mib(long bytes) {
        return String.format(java.util.Locale.ROOT, "%.1f MiB", bytes / 1048576.0);
    }

    public boolean paused() {
        return paused;
    }

    /** The table engine's memory and what it spilled, for {@link #memoryByTier()}: DuckDB's, sampled apart. */
    public void tableEngine(LongSupplier memoryBytes, LongSupplier spilledBytes) {
        this.tableEngineBytes = memoryBytes;
        this.tableEngineSpilledBytes = spilledBytes;
    }

    /**
     * Memory by tier as of now: unmanaged = resident memory held neither by heap-tier values nor by the table engine
     * (whose share, sampled at another moment, is capped at what the resident memory leaves).
     */
    public MemoryByTier memoryByTier() {
        long resident = lastResident > 0 ? lastResident : residentBytes.getAsLong();
        long heap = store.heapBytes();
        long offHeap = Math.max(0, resident - heap);
        long engine = Math.min(offHeap, Math.max(0, tableEngineBytes.getAsLong()));
        return new MemoryByTier(heap, store.segmentBytes(), store.spilledBytes() + Math.max(0, tableEngineSpilledBytes.getAsLong()),
                offHeap - engine, policy.limit(), policy.limit() > 0 ? policy.bytesOf(policy.pause()) : 0, engine);
    }

    /** The process's resident memory minus its file-backed and shared pages, from /proc/self/statm; 0 elsewhere. */
    public static long privateResidentBytes() {
        try {
            String[] statm = Files.readString(Path.of("/proc/self/statm")).trim().split("\\s+");
            long pages = Long.parseLong(statm[1]) - Long.parseLong(statm[2]);
            return Math.max(0, pages) * 4096;
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    @Override
    public void close() throws InterruptedException {
        timer.shutdownNow();
        timer.awaitTermination(5, TimeUnit.SECONDS);
    }
}
