package io.partita.scheduler.state;

import io.partita.common.protocol.ClientUpdate;
import io.partita.common.protocol.WorkerAddress;
import io.partita.common.protocol.WorkerCommand;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Graceful retirement of workers (Dask's {@code retire_workers}), asked by a client or by the worker itself when it
 * gets SIGTERM. A retiring worker gets no new tasks and gives back its queued ones (a steal request); each key that
 * only it holds and that is still needed is copied to another worker ({@link WorkerCommand.AcquireKeys}), the least
 * loaded with stored bytes first; once nothing needed is held only there and nothing runs there, the worker is told
 * it is {@link WorkerCommand.Retired} and is removed. So nothing it computed is computed again.
 */
final class Retirement {
    /** Copies of one key tried on different workers before it is left to recomputation. */
    static final int MAX_ATTEMPTS = 3;

    private final StateContext ctx;
    private final WorkerLoss workerLoss;
    /** Retiring worker to the client requests waiting for it (client id, request id). */
    private final Map<WorkerRecord, List<Waiter>> retiring = new LinkedHashMap<>();
    /** Keys being copied off a retiring worker, to the worker copying them. */
    private final Map<TaskRecord, WorkerRecord> copying = new HashMap<>();
    private final Map<TaskRecord, Integer> attempts = new HashMap<>();

    private record Waiter(String clientId, long requestId, List<WorkerRecord> workers) {}

    Retirement(StateContext ctx, WorkerLoss workerLoss) {
        this.ctx = ctx;
        this.workerLoss = workerLoss;
    }

    void onRequested(Event.RetireRequested e) {
        List<WorkerRecord> workers = new ArrayList<>();
        List<String> unknown = new ArrayList<>();
        for (String name : e.workers()) {
            WorkerRecord w = find(name);
            if (w == null) {
                unknown.add(name);
            } else if (!workers.contains(w)) {
                workers.add(w);
            }
        }
        if (!unknown.isEmpty()) {
            ctx.out.toClient(e.clientId(), new ClientUpdate.RequestFailed(e.requestId(), "no worker named " + unknown
                    + "; workers: " + ctx.workers.values().stream().map(w -> w.info.name()).toList()));
            return;
        }
        long staying = ctx.workers.values().stream().filter(w -> !w.retiring && !workers.contains(w)).count();
        if (staying == 0) {
            ctx.out.toClient(e.clientId(), new ClientUpdate.RequestFailed(e.requestId(),
                    "cannot retire every worker: their keys would have nowhere to go (stop the cluster instead)"));
            return;
        }
        Waiter waiter = new Waiter(e.clientId(), e.requestId(), workers);
        for (WorkerRecord w : workers) {
            start(w).add(waiter);
        }
    }

    void onWorkerRetiring(Event.WorkerRetiring e) {
        WorkerRecord w = ctx.workers.get(e.workerId());
        if (w != null) {
            start(w);
        }
    }

    void onKeysAcquired(Event.KeysAcquired e) {
        WorkerRecord target = ctx.workers.get(e.workerId());
        for (String key : e.acquired()) {
            TaskRecord t = ctx.tasks.get(key);
            if (t != null && copying.get(t) == target) {
                copying.remove(t);
            }
            if (t != null && target != null && t.state == TaskState.MEMORY) {
                ctx.addHolder(t, target);
            } else if (target != null) {
                ctx.out.free(target.id(), key); // released meanwhile
            }
        }
        for (String key : e.failed()) {
            TaskRecord t = ctx.tasks.get(key);
            if (t != null && copying.get(t) == target) {
                copying.remove(t); // tried again elsewhere on the next pass
            }
        }
    }

    /** Moves every retirement on: copies what still needs a copy, finishes the workers that are done. Every event. */
    void progress() {
        if (retiring.isEmpty()) {
            return;
        }
        copying.values().removeIf(target -> ctx.workers.get(target.id()) != target); // copiers that died: try others
        Map<WorkerRecord, Long> stored = new HashMap<>();
        for (WorkerRecord w : ctx.workers.values()) {
            if (!w.retiring) {
                stored.put(w, w.hasWhat.stream().mapToLong(t -> t.nbytes).sum());
            }
        }
        for (WorkerRecord w : List.copyOf(retiring.keySet())) {
            if (ctx.workers.get(w.id()) != w) { // died while retiring: what only it held is recomputed as usual
                retiring.remove(w).forEach(this::answerIfDone);
                continue;
            }
            boolean pending = !w.processing.isEmpty();
            Map<WorkerRecord, Map<String, List<WorkerAddress>>> orders = new LinkedHashMap<>();
            for (TaskRecord t : w.hasWhat) {
                if (!t.needed() || t.whoHas.size() > 1) {
                    continue;
                }
                if (copying.containsKey(t)) {
                    pending = true;
                    continue;
                }
                if (attempts.getOrDefault(t, 0) >= MAX_ATTEMPTS) {
                    continue; // could not be copied: it is recomputed from its lineage if it is needed later
                }
                WorkerRecord target = leastLoaded(t, stored);
                if (target == null) {
                    continue;
                }
                copying.put(t, target);
                attempts.merge(t, 1, Integer::sum);
                stored.merge(target, t.nbytes, Long::sum);
                orders.computeIfAbsent(target, x -> new LinkedHashMap<>()).put(t.key(), List.of(w.info.address()));
                pending = true;
            }
            orders.forEach((target, keys) -> ctx.out.toWorker(target.id(), new WorkerCommand.AcquireKeys(keys)));
            if (!pending) {
                finish(w);
            }
        }
    }

    private List<Waiter> start(WorkerRecord w) {
        List<Waiter> waiters = retiring.get(w);
        if (waiters != null) {
            return waiters;
        }
        w.retiring = true;
        waiters = new ArrayList<>();
        retiring.put(w, waiters);
        List<String> queued = w.processing.stream().map(TaskRecord::key).toList();
        if (!queued.isEmpty()) {
            ctx.out.toWorker(w.id(), new WorkerCommand.StealTasks(queued)); // those not started come back to be placed
        }
        ctx.placementDirty = true;
        return waiters;
    }

    private void finish(WorkerRecord w) {
        ctx.out.toWorker(w.id(), new WorkerCommand.Retired());
        List<Waiter> waiters = retiring.remove(w);
        w.hasWhat.forEach(attempts::remove);
        workerLoss.onWorkerLeft(w.id()); // every needed key has another holder: nothing is recomputed
        waiters.forEach(this::answerIfDone);
    }

    private void answerIfDone(Waiter waiter) {
        if (waiter.clientId() == null || waiter.workers().stream().anyMatch(retiring::containsKey)) {
            return;
        }
        if (ctx.clients.containsKey(waiter.clientId())) {
            ctx.out.toClient(waiter.clientId(), new ClientUpdate.WorkersRetired(waiter.requestId(),
                    waiter.workers().stream().map(WorkerRecord::id).toList()));
        }
    }

    /** The worker not retiring and not holding {@code t} with the fewest stored bytes (as counted in {@code stored}). */
    private static WorkerRecord leastLoaded(TaskRecord t, Map<WorkerRecord, Long> stored) {
        WorkerRecord best = null;
        for (Map.Entry<WorkerRecord, Long> e : stored.entrySet()) {
            if (!t.whoHas.contains(e.getKey()) && (best == null || e.getValue() < stored.get(best))) {
                best = e.getKey();
            }
        }
        return best;
    }

    private WorkerRecord find(String nameOrId) {
        WorkerRecord byId = ctx.workers.get(nameOrId);
        if (byId != null) {
            return byId;
        }
        for (WorkerRecord w : ctx.workers.values()) {
            if (w.info.name().equals(nameOrId)) {
                return w;
            }
        }
        return null;
    }
}
