package io.partita.scheduler.state;

import io.partita.common.data.Partition;
import io.partita.common.protocol.WorkerAddress;
import io.partita.common.protocol.WorkerCommand.ExecuteTask;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Where a ready task should run, and the bookkeeping of sending it there (assign) or taking it back (unassign). */
final class Placement {
    private final StateContext ctx;

    Placement(StateContext ctx) {
        this.ctx = ctx;
    }

    /**
     * The worker, among those the task's restrictions and resources allow, with the least queued work per thread
     * plus time to move the inputs it lacks; null when none can take it now.
     */
    static WorkerRecord bestWorker(TaskRecord t, Collection<WorkerRecord> workers, double bandwidth) {
        WorkerRecord best = null;
        double bestCost = Double.POSITIVE_INFINITY;
        for (WorkerRecord w : workers) {
            if (!mayRunOn(t, w) || !w.hasResourcesFor(t.spec.resources())) {
                continue;
            }
            double cost = w.occupancyMicros / 1e6 / w.info.nthreads() + transferSeconds(t, w, bandwidth);
            if (cost < bestCost) {
                bestCost = cost;
                best = w;
            }
        }
        return best;
    }

    /** Whether {@code t} may run on {@code w} at all (resources aside): restrictions, retirement, earlier failures. */
    static boolean mayRunOn(TaskRecord t, WorkerRecord w) {
        return !w.retiring && w.matches(t.spec.workers()) && (t.cannotRunOn == null || !t.cannotRunOn.contains(w));
    }

    /**
     * Expected seconds to bring the inputs {@code w} lacks: over the network at {@code bandwidth} (measured by the
     * workers), or nearly free from a holder on the same host (the worker maps the holder's segment, no copy).
     */
    static double transferSeconds(TaskRecord t, WorkerRecord w, double bandwidth) {
        double seconds = 0;
        for (TaskRecord d : t.dependencies) {
            if (!d.whoHas.contains(w)) {
                boolean sameHost = false;
                for (WorkerRecord h : d.whoHas) {
                    sameHost |= h.info.hostId().equals(w.info.hostId());
                }
                seconds += d.nbytes / (sameHost ? SAME_HOST_BYTES_PER_SECOND : bandwidth);
            }
        }
        return seconds;
    }

    /** A shared-segment hand-over costs page-table updates, not a copy: about 20 GB/s here (docs/benchmarks.md). */
    static final double SAME_HOST_BYTES_PER_SECOND = 20e9;

    void markReady(TaskRecord t) {
        ctx.ready.add(t);
        ctx.placementDirty = true;
    }

    /** Assigns every ready task some worker can take; only when something changed since the last pass. */
    void place() {
        if (!ctx.placementDirty || ctx.workers.isEmpty() || ctx.recovering) {
            return;
        }
        ctx.placementDirty = false;
        Iterator<TaskRecord> it = ctx.ready.iterator();
        while (it.hasNext()) {
            TaskRecord t = it.next();
            WorkerRecord w = bestWorker(t, ctx.workers.values(), ctx.bandwidth);
            if (w != null) {
                it.remove();
                assign(t, w);
            }
        }
    }

    private void assign(TaskRecord t, WorkerRecord w) {
        ctx.transition(t, TaskState.PROCESSING);
        t.processingOn = w;
        t.expectedMicros = ctx.groupDurationMicros.getOrDefault(t.group, ctx.limits.defaultDurationMicros());
        w.processing.add(t);
        w.occupancyMicros += t.expectedMicros;
        ctx.processingGroups.computeIfAbsent(t.group, g -> new StateContext.ProcessingGroup(t.expectedMicros)).tasks.add(t);
        w.acquire(t.spec.resources());
        Map<String, List<WorkerAddress>> deps = new HashMap<>();
        Set<String> tables = Set.of();
        for (TaskRecord d : t.dependencies) {
            deps.put(d.key(), StateContext.addresses(d));
            if (Partition.isType(d.type)) {
                tables = tables.isEmpty() ? new HashSet<>() : tables;
                tables.add(d.key());
            }
        }
        ctx.out.execute(w.id(), new ExecuteTask(t.key(), t.spec.function(), t.spec.args(), deps, t.spec.priority(), t.seq,
                tables));
    }

    /**
     * The expected run time of {@code group} is now {@code micros}: its processing tasks, placed with the old estimate
     * (the 1 ms default before any of them finished), count the new one in their workers' queues, as Dask's
     * {@code reevaluate_occupancy} does. Without it, 16 scans of 0.5 s placed at a job's start counted 1 ms each, and
     * stealing never found that 3 of them queued behind a 5 s task were worth moving to an idle worker. Only a change
     * of more than 2x walks the group's tasks, so that a big group is not walked at every completion.
     */
    void reestimate(String group, double micros) {
        StateContext.ProcessingGroup g = ctx.processingGroups.get(group);
        if (g == null || (micros < 2 * g.appliedMicros && 2 * micros > g.appliedMicros)) {
            return;
        }
        g.appliedMicros = micros;
        for (TaskRecord t : g.tasks) {
            t.processingOn.occupancyMicros = Math.max(0, t.processingOn.occupancyMicros + micros - t.expectedMicros);
            t.expectedMicros = micros;
        }
        ctx.placementDirty = true;
    }

    /** Takes {@code t} off its worker (state unchanged: the caller moves it); frees capacity, so placement reruns. */
    void unassign(TaskRecord t, boolean tellWorker) {
        WorkerRecord w = t.processingOn;
        w.processing.remove(t);
        w.running.remove(t);
        w.occupancyMicros = Math.max(0, w.occupancyMicros - t.expectedMicros);
        StateContext.ProcessingGroup group = ctx.processingGroups.get(t.group);
        if (group != null && group.tasks.remove(t) && group.tasks.isEmpty()) {
            ctx.processingGroups.remove(t.group);
        }
        w.releaseResources(t.spec.resources());
        t.processingOn = null;
        t.running = false;
        if (t.stealingTo != null) {
            ctx.steals.remove(t);
            t.stealingTo = null;
        }
        if (tellWorker) {
            ctx.out.free(w.id(), t.key());
        }
        ctx.placementDirty = true;
    }
}
