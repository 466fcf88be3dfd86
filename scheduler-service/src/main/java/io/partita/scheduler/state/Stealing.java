package io.partita.scheduler.state;

import io.partita.common.protocol.WorkerCommand;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Work stealing (after Dask's {@code WorkStealing}): every tick, queued tasks move from the workers with the longest
 * expected queue per thread to those with the shortest, while the move pays off. A move is a request to the victim
 * ({@link WorkerCommand.StealTasks}); only a task the victim gives back (it had not started) is placed again, so a
 * task never runs twice because of stealing.
 *
 * <p>"Pays off": after the move, the thief would still start the task sooner than the victim, counting the time to
 * move the inputs the thief lacks. Queues are measured as in {@link Placement}: the expected run times of the tasks
 * processing on a worker (learned per task group), per thread.
 */
final class Stealing {
    /** At most this many steal requests per tick, so that one tick stays short on a big cluster. */
    static final int MAX_STEALS_PER_TICK = 2_000;
    /** A steal costs a round trip to the victim before the task can start on the thief. */
    static final double REQUEST_SECONDS = 0.002;

    private final StateContext ctx;
    private final Cascades cascades;
    private final Placement placement;

    Stealing(StateContext ctx, Cascades cascades, Placement placement) {
        this.ctx = ctx;
        this.cascades = cascades;
        this.placement = placement;
    }

    /** One balancing pass: asks the most loaded workers to give tasks to the least loaded. */
    void balance() {
        if (!ctx.limits.workStealing() || ctx.workers.size() < 2 || ctx.recovering) {
            return;
        }
        // Expected seconds of queue per thread, counting steals already asked for as moved.
        Map<WorkerRecord, Double> level = new HashMap<>();
        for (WorkerRecord w : ctx.workers.values()) {
            level.put(w, (w.occupancyMicros / 1e6 + overrunSeconds(w)) / w.info.nthreads());
        }
        for (TaskRecord t : ctx.steals) {
            level.merge(t.processingOn, -seconds(t, t.processingOn), Double::sum);
            level.merge(t.stealingTo, seconds(t, t.stealingTo), Double::sum);
        }
        Map<WorkerRecord, Iterator<TaskRecord>> candidates = new HashMap<>();
        Set<WorkerRecord> exhausted = new HashSet<>(); // victims with nothing more to give in this pass
        Map<WorkerRecord, List<String>> requests = new HashMap<>();
        int steals = 0;
        while (steals < MAX_STEALS_PER_TICK) {
            WorkerRecord victim = null;
            WorkerRecord thief = null;
            for (WorkerRecord w : ctx.workers.values()) {
                if (w.processing.size() > w.info.nthreads() && !exhausted.contains(w)
                        && (victim == null || level.get(w) > level.get(victim))) {
                    victim = w;
                }
                if (!w.retiring && (thief == null || level.get(w) < level.get(thief))) {
                    thief = w;
                }
            }
            if (victim == null || thief == null || thief == victim) {
                break;
            }
            TaskRecord t = nextCandidate(victim, thief, candidates);
            if (t == null) {
                exhausted.add(victim);
                continue;
            }
            double cost = Placement.transferSeconds(t, thief, ctx.bandwidth) + REQUEST_SECONDS;
            double thiefAfter = level.get(thief) + seconds(t, thief) + cost;
            double victimBefore = level.get(victim) - seconds(t, victim); // when t would start on the victim, at best
            if (thiefAfter >= victimBefore) {
                exhausted.add(victim); // its last task does not pay to move: the ones it runs sooner pay even less
                continue;
            }
            t.stealingTo = thief;
            ctx.steals.add(t);
            level.merge(victim, -seconds(t, victim), Double::sum);
            level.merge(thief, seconds(t, thief), Double::sum);
            requests.computeIfAbsent(victim, w -> new ArrayList<>()).add(t.key());
            steals++;
        }
        requests.forEach((victim, keys) -> ctx.out.toWorker(victim.id(), new WorkerCommand.StealTasks(keys)));
    }

    /** The victim's answer: tasks given back are placed again (on the thief, unless something changed); others stay. */
    void onAnswered(Event.StealAnswered e) {
        WorkerRecord victim = ctx.workers.get(e.workerId());
        for (String key : e.kept()) {
            TaskRecord t = ctx.tasks.get(key);
            if (t != null && ctx.steals.remove(t)) {
                t.stealingTo = null;
            }
        }
        for (String key : e.released()) {
            TaskRecord t = ctx.tasks.get(key);
            if (t == null || victim == null || t.state != TaskState.PROCESSING || t.processingOn != victim) {
                continue; // released, cancelled or re-planned while the request travelled: the worker forgot it too
            }
            placement.unassign(t, false);
            ctx.stolenCount++;
            cascades.toWaiting(t); // ready again: placement picks the least loaded worker, normally the thief
        }
    }

    /**
     * The victim's queued tasks from the one it would run last, skipping those already being stolen, those the thief
     * may not run, and those running (a worker never gives one back; as the first candidate, one of them would end
     * the pass for its victim, since moving it never pays, and hide every queued task behind it).
     */
    private static TaskRecord nextCandidate(WorkerRecord victim, WorkerRecord thief,
                                            Map<WorkerRecord, Iterator<TaskRecord>> candidates) {
        Iterator<TaskRecord> it = candidates.computeIfAbsent(victim, v -> v.processing.reversed().iterator());
        while (it.hasNext()) {
            TaskRecord t = it.next();
            if (!t.running && t.stealingTo == null && thief.matches(t.spec.workers())
                    && thief.hasResourcesFor(t.spec.resources())) {
                return t;
            }
        }
        return null;
    }

    /**
     * A running task that has already run longer than expected is expected to run as long again (its group's
     * estimate is wrong, or it has none yet: a job's first combine counts the 1 ms default while it runs for
     * seconds). Without it, the tasks queued behind such a task looked about to start and were never stolen.
     */
    private double overrunSeconds(WorkerRecord w) {
        double seconds = 0;
        for (TaskRecord t : w.running) {
            seconds += Math.max(0, (ctx.now - t.startedMillis) / 1e3 - t.expectedMicros / 1e6);
        }
        return seconds;
    }

    private static double seconds(TaskRecord t, WorkerRecord w) {
        return t.expectedMicros / 1e6 / w.info.nthreads();
    }
}
