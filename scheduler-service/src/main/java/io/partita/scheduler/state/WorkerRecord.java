package io.partita.scheduler.state;

import io.partita.common.protocol.WorkerInfo;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.SequencedSet;
import java.util.Set;

/** The scheduler's record of one connected worker: what it runs, what it holds, what it was sent. */
final class WorkerRecord {
    final WorkerInfo info;
    /** In the order they were sent: the last ones are the likeliest still queued (stealing takes from the end). */
    final SequencedSet<TaskRecord> processing = new LinkedHashSet<>();
    /** The processing tasks it reported running (at most its threads, normally). */
    final java.util.Set<TaskRecord> running = new java.util.HashSet<>();
    final Set<TaskRecord> hasWhat = new HashSet<>();
    final Map<String, Double> resourcesInUse = new HashMap<>();
    /** Function ids already carried to this worker on its current connection. */
    final Set<String> sentFunctions = new HashSet<>();
    /** Being retired ({@link Retirement}): gets no new tasks and steals none. */
    boolean retiring;
    /** Sum of the expected run times of the tasks processing here, in microseconds. */
    double occupancyMicros;

    WorkerRecord(WorkerInfo info) {
        this.info = info;
    }

    String id() {
        return info.workerId();
    }

    boolean matches(java.util.List<String> restriction) {
        return restriction.isEmpty() || restriction.contains(info.workerId()) || restriction.contains(info.name());
    }

    boolean hasResourcesFor(Map<String, Double> needed) {
        for (Map.Entry<String, Double> e : needed.entrySet()) {
            double free = info.resources().getOrDefault(e.getKey(), 0.0) - resourcesInUse.getOrDefault(e.getKey(), 0.0);
            if (free + 1e-9 < e.getValue()) {
                return false;
            }
        }
        return true;
    }

    boolean canEverRun(Map<String, Double> needed) {
        for (Map.Entry<String, Double> e : needed.entrySet()) {
            if (info.resources().getOrDefault(e.getKey(), 0.0) + 1e-9 < e.getValue()) {
                return false;
            }
        }
        return true;
    }

    void acquire(Map<String, Double> resources) {
        resources.forEach((k, v) -> resourcesInUse.merge(k, v, Double::sum));
    }

    void releaseResources(Map<String, Double> resources) {
        resources.forEach((k, v) -> resourcesInUse.merge(k, -v, Double::sum));
    }
}
