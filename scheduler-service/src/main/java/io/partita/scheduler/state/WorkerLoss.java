package io.partita.scheduler.state;

import io.partita.common.task.RemoteError;
import io.partita.scheduler.state.Event.FetchFailed;
import java.util.ArrayList;
import java.util.List;

/**
 * Losing results: a worker leaves (its data and its running tasks go with it) or a fetch shows a holder no longer has
 * a key. Lost results are recomputed if still needed; tasks that kept killing workers err instead of running again.
 */
final class WorkerLoss {
    private final StateContext ctx;
    private final Placement placement;
    private final Cascades cascades;

    WorkerLoss(StateContext ctx, Placement placement, Cascades cascades) {
        this.ctx = ctx;
        this.placement = placement;
        this.cascades = cascades;
    }

    void onWorkerLeft(String workerId) {
        WorkerRecord w = ctx.workers.remove(workerId);
        if (w == null) {
            return; // already gone: Hazelcast and the WebSocket both report it
        }
        List<TaskRecord> lost = new ArrayList<>();
        for (TaskRecord t : w.hasWhat) {
            t.whoHas.remove(w);
            if (t.whoHas.isEmpty() && t.state == TaskState.MEMORY) {
                lost.add(t);
                t.lostFrom = w.id();
                t.lostWhy = "the worker left";
            }
        }
        w.hasWhat.clear();
        List<TaskRecord> rerun = new ArrayList<>(w.processing);
        for (TaskRecord t : rerun) {
            if (t.running) { // only a task that was running may have killed it; queued ones are just moved
                t.suspicious++;
            }
            placement.unassign(t, false);
        }
        List<TaskRecord> requeue = new ArrayList<>();
        lost.forEach(t -> lose(t, requeue));
        for (TaskRecord t : rerun) {
            if (t.suspicious > ctx.limits.allowedFailures()) {
                cascades.err(t, RemoteError.of(SchedulerState.KILLED_WORKER, "task " + t.key() + " was running on "
                        + t.suspicious + " workers that died", t.key()));
            } else {
                cascades.toWaiting(t);
            }
        }
        requeue.forEach(cascades::toWaiting);
        recomputeIfNeeded(lost);
    }

    void onFetchFailed(FetchFailed e) {
        WorkerRecord w = ctx.workers.get(e.workerId());
        TaskRecord dep = ctx.tasks.get(e.dependency());
        WorkerRecord holder = ctx.workers.get(e.holderWorkerId());
        List<TaskRecord> requeue = new ArrayList<>();
        List<TaskRecord> lost = new ArrayList<>();
        if (dep != null && holder != null && dep.whoHas.remove(holder)) {
            holder.hasWhat.remove(dep);
            ctx.out.free(holder.id(), dep.key()); // whatever it has left of it, it is no longer counted on
            if (dep.whoHas.isEmpty() && dep.state == TaskState.MEMORY) {
                lost.add(dep);
                dep.lostFrom = holder.id();
                dep.lostWhy = "worker " + e.workerId() + " could not fetch it from there: " + e.error();
                lose(dep, requeue);
            }
        }
        TaskRecord t = ctx.tasks.get(e.key());
        if (t != null && w != null && t.state == TaskState.PROCESSING && t.processingOn == w) {
            placement.unassign(t, false);
            requeue.add(t);
        }
        requeue.forEach(cascades::toWaiting);
        recomputeIfNeeded(lost);
    }

    /** {@code t} has no holder left: back to RELEASED; dependents that counted on it wait for it again. */
    private void lose(TaskRecord t, List<TaskRecord> requeue) {
        ctx.transition(t, TaskState.RELEASED);
        for (TaskRecord d : t.dependents) {
            if (d.state == TaskState.WAITING) {
                d.waitingOn.add(t);
                ctx.ready.remove(d);
            } else if (d.state == TaskState.PROCESSING && d.processingOn != null) {
                placement.unassign(d, true); // (one without a worker was on the dead worker: its caller re-plans it)
                requeue.add(d);
            }
        }
    }

    private void recomputeIfNeeded(List<TaskRecord> lost) {
        for (TaskRecord t : lost) {
            if (t.state == TaskState.RELEASED && t.needed()) {
                cascades.toWaiting(t);
            } else {
                ctx.releaseCandidates.add(t);
            }
        }
    }
}
