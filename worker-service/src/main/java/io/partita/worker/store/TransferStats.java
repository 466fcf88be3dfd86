package io.partita.worker.store;

import io.partita.common.protocol.WorkerLoad.Activity;
import io.partita.common.protocol.WorkerLoad.TransferCounters;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Cumulative bytes and counts moved by path (segment, Flight, bulk, spill), shared by the store, fetcher and server; and
 * the last transfers and spills as timed spans, for the dashboard's task stream.
 */
public final class TransferStats {
    /** Spans kept for {@link #recentActivity}: the newest, at most this many. */
    static final int ACTIVITY_CAPACITY = 500;

    private final Deque<Activity> activity = new ArrayDeque<>();
    private long activitySeq;
    private final AtomicLong segmentInBytes = new AtomicLong();
    private final AtomicLong segmentInCount = new AtomicLong();
    private final AtomicLong flightInBytes = new AtomicLong();
    private final AtomicLong flightInCount = new AtomicLong();
    private final AtomicLong flightOutBytes = new AtomicLong();
    private final AtomicLong bulkInBytes = new AtomicLong();
    private final AtomicLong bulkInCount = new AtomicLong();
    private final AtomicLong bulkOutBytes = new AtomicLong();
    private final AtomicLong spilledBytes = new AtomicLong();
    private final AtomicLong spillCount = new AtomicLong();
    private final AtomicLong unspilledBytes = new AtomicLong();
    private final AtomicLong unspillCount = new AtomicLong();
    /** Bytes per second of recent network fetches (Flight or bulk), a moving average; 0 until one large enough was timed. */
    private volatile double fetchBytesPerSecond;

    /** A key mapped from a neighbour's segment. */
    public void segmentIn(long bytes) {
        segmentInBytes.addAndGet(bytes);
        segmentInCount.incrementAndGet();
    }

    /** A key received over Flight (fetched from a peer, or scattered onto this worker). */
    public void flightIn(long bytes) {
        flightInBytes.addAndGet(bytes);
        flightInCount.incrementAndGet();
    }

    /** A table's segment file pulled from a peer over the bulk path. */
    public void bulkIn(long bytes) {
        bulkInBytes.addAndGet(bytes);
        bulkInCount.incrementAndGet();
    }

    /** A segment file (or part of one) served to a peer over the bulk path. */
    public void bulkOut(long bytes) {
        bulkOutBytes.addAndGet(bytes);
    }

    /**
     * One network fetch (Flight or bulk) of {@code bytes} that took {@code nanos}. Only fetches of at least {@link #MIN_TIMED_BYTES} count:
     * smaller ones measure the round trip, not the bandwidth (Dask keeps the same rule).
     */
    public void fetchTimed(long bytes, long nanos) {
        if (bytes >= MIN_TIMED_BYTES && nanos > 0) {
            double measured = bytes * 1e9 / nanos;
            double previous = fetchBytesPerSecond;
            fetchBytesPerSecond = previous == 0 ? measured : previous + EWMA_WEIGHT * (measured - previous);
        }
    }

    static final long MIN_TIMED_BYTES = 1 << 20;
    private static final double EWMA_WEIGHT = 0.2;

    public void flightOut(long bytes) {
        flightOutBytes.addAndGet(bytes);
    }

    void spilled(long bytes) {
        spilledBytes.addAndGet(bytes);
        spillCount.incrementAndGet();
    }

    void unspilled(long bytes) {
        unspilledBytes.addAndGet(bytes);
        unspillCount.incrementAndGet();
    }

    /** Records a timed span (a fetch from {@code peer}, a spill, an unspill) for the task stream. */
    public void activity(String kind, long startMillis, long durationMicros, long bytes, int keys, String peer) {
        synchronized (activity) {
            if (activity.size() >= ACTIVITY_CAPACITY) {
                activity.removeFirst();
            }
            activity.addLast(new Activity(++activitySeq, kind, startMillis, durationMicros, bytes, keys, peer));
        }
    }

    /** The spans that ended after {@code sinceMillis}, oldest first. */
    public List<Activity> recentActivity(long sinceMillis) {
        List<Activity> recent = new ArrayList<>();
        synchronized (activity) {
            for (Activity a : activity) {
                if (a.startMillis() + a.durationMicros() / 1000 >= sinceMillis) {
                    recent.add(a);
                }
            }
        }
        return recent;
    }

    public TransferCounters snapshot() {
        return new TransferCounters(segmentInBytes.get(), flightInBytes.get(), flightOutBytes.get(), segmentInCount.get(),
                flightInCount.get(), spilledBytes.get(), unspilledBytes.get(), spillCount.get(), unspillCount.get(),
                fetchBytesPerSecond, bulkInBytes.get(), bulkOutBytes.get(), bulkInCount.get());
    }
}
