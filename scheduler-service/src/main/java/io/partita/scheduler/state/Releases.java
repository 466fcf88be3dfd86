package io.partita.scheduler.state;

import io.partita.common.protocol.ClientUpdate;
import io.partita.scheduler.state.Event.CancelRequested;
import io.partita.scheduler.state.Event.ClientDisconnected;
import java.util.Iterator;
import java.util.Map;

/**
 * Client references and what follows when they drop: tasks nobody needs any more are released, then forgotten.
 * Dropping a reference only marks a candidate; {@link #settleReleases} does the work once per event.
 */
final class Releases {
    private final StateContext ctx;
    private final Placement placement;

    Releases(StateContext ctx, Placement placement) {
        this.ctx = ctx;
        this.placement = placement;
    }

    void onClientDisconnected(ClientDisconnected e) {
        Map<String, Integer> refs = ctx.clients.remove(e.clientId());
        if (refs == null) {
            return;
        }
        for (String key : refs.keySet()) {
            TaskRecord t = ctx.tasks.get(key);
            if (t != null) {
                t.clientRefs.remove(e.clientId());
                ctx.releaseCandidates.add(t);
            }
        }
    }

    void onCancel(CancelRequested e) {
        for (String key : e.keys()) {
            dropRef(e.clientId(), key, true);
        }
        ctx.out.toClient(e.clientId(), new ClientUpdate.KeysCancelled(e.requestId(), e.keys(), "cancelled by the client"));
    }

    /** Drops one of the client's references to {@code key}, or all of them. */
    void dropRef(String clientId, String key, boolean all) {
        Map<String, Integer> refs = ctx.clients.get(clientId);
        TaskRecord t = ctx.tasks.get(key);
        if (refs == null || t == null || !refs.containsKey(key)) {
            return;
        }
        int left = all ? 0 : refs.get(key) - 1;
        if (left <= 0) {
            refs.remove(key);
            t.clientRefs.remove(clientId);
        } else {
            refs.put(key, left);
            t.clientRefs.put(clientId, left);
        }
        ctx.releaseCandidates.add(t);
    }

    /** Releases, and forgets, every candidate nothing needs any more; cascades to their dependencies. */
    void settleReleases() {
        while (!ctx.releaseCandidates.isEmpty()) {
            Iterator<TaskRecord> it = ctx.releaseCandidates.iterator();
            TaskRecord t = it.next();
            it.remove();
            if (ctx.tasks.get(t.key()) != t || t.needed()) {
                continue; // forgotten already (a stale candidate), or still needed
            }
            switch (t.state) {
                case WAITING -> {
                    ctx.ready.remove(t);
                    t.waitingOn.clear();
                    ctx.transition(t, TaskState.RELEASED);
                    ctx.releaseCandidates.addAll(t.dependencies);
                }
                case PROCESSING -> {
                    placement.unassign(t, true);
                    ctx.transition(t, TaskState.RELEASED);
                    ctx.releaseCandidates.addAll(t.dependencies);
                }
                case MEMORY -> {
                    for (WorkerRecord w : t.whoHas) {
                        ctx.out.free(w.id(), t.key());
                        w.hasWhat.remove(t);
                    }
                    t.whoHas.clear();
                    ctx.transition(t, TaskState.RELEASED);
                    t.lostFrom = null;
                    t.lostWhy = "it was released";
                }
                case ERRED -> {
                    t.error = null;
                    ctx.transition(t, TaskState.RELEASED);
                }
                case RELEASED, FORGOTTEN -> { }
            }
            if (t.state == TaskState.RELEASED && t.dependents.isEmpty()) {
                forget(t);
            }
        }
    }

    /** Drops {@code t} and, with its last task, its function; its dependencies may now be unneeded too. */
    private void forget(TaskRecord t) {
        ctx.transition(t, TaskState.FORGOTTEN);
        ctx.tasks.remove(t.key());
        if (!t.scattered && ctx.functionRefs.merge(t.spec.function(), -1, Integer::sum) <= 0) {
            ctx.functionRefs.remove(t.spec.function());
            ctx.functions.remove(t.spec.function());
        }
        for (TaskRecord d : t.dependencies) {
            d.dependents.remove(t);
            ctx.releaseCandidates.add(d);
        }
    }
}
