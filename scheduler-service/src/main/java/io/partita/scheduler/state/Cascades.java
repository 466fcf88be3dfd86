package io.partita.scheduler.state;

import io.partita.common.protocol.ClientUpdate.KeyErred;
import io.partita.common.task.RemoteError;
import java.util.ArrayDeque;
import java.util.Deque;

/** The two moves that spread through the graph: to WAITING (down to dependencies) and to ERRED (up to dependents). */
final class Cascades {
    private final StateContext ctx;
    private final Placement placement;

    Cascades(StateContext ctx, Placement placement) {
        this.ctx = ctx;
        this.placement = placement;
    }

    /** Moves {@code start} (RELEASED, or PROCESSING already unassigned) to WAITING, and its released dependencies. */
    void toWaiting(TaskRecord start) {
        if (start.state != TaskState.RELEASED && start.state != TaskState.PROCESSING) {
            return; // erred meanwhile, by a failure cascade in the same event
        }
        Deque<TaskRecord> stack = new ArrayDeque<>();
        stack.push(start);
        while (!stack.isEmpty()) {
            TaskRecord t = stack.pop();
            if (t != start && t.state != TaskState.RELEASED) {
                continue;
            }
            if (t.scattered) {
                err(t, Scatter.lostData(t)); // nothing to recompute it from
                continue;
            }
            RemoteError depError = null;
            for (TaskRecord d : t.dependencies) {
                if (d.state == TaskState.ERRED) {
                    depError = d.error;
                    break;
                }
            }
            if (depError != null) {
                err(t, depError);
                continue;
            }
            ctx.transition(t, TaskState.WAITING);
            t.waitingOn.clear();
            for (TaskRecord d : t.dependencies) {
                if (d.state != TaskState.MEMORY) {
                    t.waitingOn.add(d);
                    if (d.state == TaskState.RELEASED) {
                        stack.push(d);
                    }
                }
            }
            if (t.waitingOn.isEmpty()) {
                placement.markReady(t);
            }
        }
    }

    /** Errs {@code start} and every dependent that would still run, with the same error. */
    void err(TaskRecord start, RemoteError error) {
        Deque<TaskRecord> stack = new ArrayDeque<>();
        stack.push(start);
        while (!stack.isEmpty()) {
            TaskRecord t = stack.pop();
            if (t.state == TaskState.ERRED) {
                continue;
            }
            if (t.processingOn != null) {
                placement.unassign(t, true);
            }
            ctx.ready.remove(t);
            t.waitingOn.clear();
            ctx.transition(t, TaskState.ERRED);
            ctx.erredCount++;
            t.error = error;
            KeyErred erred = new KeyErred(t.key(), error);
            t.clientRefs.keySet().forEach(c -> ctx.out.erred(c, erred));
            for (TaskRecord d : t.dependents) {
                if (d.state == TaskState.WAITING || d.state == TaskState.PROCESSING) {
                    stack.push(d);
                }
            }
            ctx.releaseCandidates.addAll(t.dependencies);
            ctx.releaseCandidates.add(t);
        }
    }
}
