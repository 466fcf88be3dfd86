package io.partita.scheduler.state;

import io.partita.common.protocol.ClientRequest.ScatteredKey;
import io.partita.common.protocol.ClientUpdate;
import io.partita.common.task.Keys;
import io.partita.common.task.RemoteError;
import io.partita.scheduler.state.Event.DataScattered;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Scattered data: values a client put on a worker, tracked as keys in MEMORY that have no lineage. */
final class Scatter {
    private final StateContext ctx;

    Scatter(StateContext ctx) {
        this.ctx = ctx;
    }

    /**
     * Registers values a client put on a worker as keys in MEMORY there, one client reference each; all or nothing.
     * A key already scattered with the same type and size gains a holder (and a reference); any other existing key
     * refuses the request. On refusal the worker is told to free what it was given and the scheduler does not track.
     */
    void onDataScattered(DataScattered e) {
        WorkerRecord w = ctx.workers.get(e.workerId());
        Optional<String> problem = scatterProblem(e, w);
        if (problem.isPresent()) {
            ctx.out.toClient(e.clientId(), new ClientUpdate.RequestFailed(e.requestId(), problem.get()));
            if (w != null) {
                for (ScatteredKey k : e.keys()) {
                    TaskRecord t = k.key() == null ? null : ctx.tasks.get(k.key());
                    if (k.key() != null && (t == null || !t.whoHas.contains(w))) {
                        ctx.out.free(w.id(), k.key());
                    }
                }
            }
            return;
        }
        Map<String, Integer> refs = ctx.clients.computeIfAbsent(e.clientId(), c -> new HashMap<>());
        for (ScatteredKey k : e.keys()) {
            TaskRecord t = ctx.tasks.get(k.key());
            if (t == null) {
                t = TaskRecord.scattered(k.key(), ctx.groupOf(k.key()), ctx.seq++);
                ctx.add(t);
                t.nbytes = k.nbytes();
                t.type = ctx.shared(k.type());
                ctx.transition(t, TaskState.MEMORY);
            }
            ctx.addHolder(t, w);
            t.clientRefs.merge(e.clientId(), 1, Integer::sum);
            refs.merge(k.key(), 1, Integer::sum);
        }
        ctx.out.toClient(e.clientId(), new ClientUpdate.GraphAccepted(e.requestId(), e.keys().size()));
        for (ScatteredKey k : new LinkedHashSet<>(e.keys())) {
            ctx.out.finished(e.clientId(), StateContext.keyFinished(ctx.tasks.get(k.key())));
        }
        ctx.placementDirty = true; // tasks may wait for nothing else
    }

    private Optional<String> scatterProblem(DataScattered e, WorkerRecord w) {
        if (w == null) {
            return Optional.of("worker " + e.workerId() + " is not connected to this scheduler (it may have left after the"
                    + " data was put there): scatter the data again");
        }
        if (e.keys().isEmpty()) {
            return Optional.of("no keys to register: RegisterScattered needs at least one key");
        }
        int max = ctx.limits.maxGraphTasks();
        if (e.keys().size() > max) {
            return Optional.of("scatter of " + e.keys().size() + " keys is over the limit of " + max
                    + " per request: scatter in smaller lists");
        }
        Set<String> seen = new HashSet<>();
        for (ScatteredKey k : e.keys()) {
            try {
                Keys.requireValid(k.key());
            } catch (IllegalArgumentException ex) {
                return Optional.of("scattered key refused: " + ex.getMessage());
            }
            if (!seen.add(k.key())) {
                return Optional.of("key " + k.key() + " is scattered twice in one request: give each value its own key");
            }
            if (k.nbytes() < 0 || k.type() == null || k.type().isBlank()) {
                return Optional.of("scattered key " + k.key() + " needs a type and a size of at least 0 bytes");
            }
            TaskRecord t = ctx.tasks.get(k.key());
            if (t == null) {
                continue;
            }
            if (!t.scattered) {
                return Optional.of("key " + k.key() + " already names the result of a task: scatter under another key");
            }
            if (t.state != TaskState.MEMORY) {
                return Optional.of("key " + k.key() + " was scattered before and is now " + t.state
                        + " (lost or released): release its futures, or scatter under another key");
            }
            if (t.nbytes != k.nbytes() || !k.type().equals(t.type)) {
                return Optional.of("key " + k.key() + " already exists with other data (" + t.type + ", " + t.nbytes
                        + " bytes; this is " + k.type() + ", " + k.nbytes() + " bytes): scatter under another key");
            }
        }
        return Optional.empty();
    }

    /** The error of scattered data that is needed again but no longer held: it cannot be recomputed. */
    static RemoteError lostData(TaskRecord t) {
        String how = t.lostFrom != null
                ? "was held only by worker " + t.lostFrom + " and was lost (" + t.lostWhy + ")"
                : "is no longer held (" + (t.lostWhy != null ? t.lostWhy : "it was released") + ")";
        return RemoteError.of(SchedulerState.LOST_DATA, "the scattered value of " + t.key() + " " + how
                + "; scattered data has no lineage to recompute it from: scatter it again", t.key());
    }
}
