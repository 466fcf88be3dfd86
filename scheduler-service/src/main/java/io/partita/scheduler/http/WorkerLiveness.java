package io.partita.scheduler.http;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.SequencedSet;

/**
 * Which registered workers are alive, from what arrives on their authenticated connections alone: a worker heard
 * from within the timeout is alive, one silent for longer is overdue (a host cut off leaves its connection open for
 * minutes, so a closed connection is not the only sign). A worker declared lost that comes back with its old
 * identity is told to restart: its keys were recomputed elsewhere, and a fresh worker joins in its place. Pure, time
 * passed in; used on the scheduler's loop only.
 */
final class WorkerLiveness {
    /** Lost workers remembered, so that the memory stays bounded over a long-lived cluster's churn. */
    static final int REMEMBERED_LOST = 10_000;

    private final long timeoutMillis;
    private final Map<String, Long> lastHeard = new HashMap<>();
    private final SequencedSet<String> lost = new LinkedHashSet<>();

    WorkerLiveness(long timeoutMillis) {
        if (timeoutMillis <= 0) {
            throw new IllegalArgumentException("the worker timeout must be positive, not " + timeoutMillis + " ms");
        }
        this.timeoutMillis = timeoutMillis;
    }

    long timeoutMillis() {
        return timeoutMillis;
    }

    /** Something arrived from registered worker {@code workerId}. */
    void heard(String workerId, long nowMillis) {
        lastHeard.put(workerId, nowMillis);
    }

    /** The worker left by its connection closing, or retired: not expected to report any more. */
    void left(String workerId) {
        lastHeard.remove(workerId);
    }

    /** The workers silent for longer than the timeout, now declared lost (each returned once). */
    List<String> overdue(long nowMillis) {
        List<String> overdue = new ArrayList<>();
        for (Iterator<Map.Entry<String, Long>> it = lastHeard.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<String, Long> e = it.next();
            if (nowMillis - e.getValue() > timeoutMillis) {
                it.remove();
                overdue.add(e.getKey());
                lost.add(e.getKey());
                if (lost.size() > REMEMBERED_LOST) {
                    lost.removeFirst();
                }
            }
        }
        return overdue;
    }

    /** Whether {@code workerId} was declared lost for its silence: registering again, it is told to restart. */
    boolean declaredLost(String workerId) {
        return lost.contains(workerId);
    }
}
