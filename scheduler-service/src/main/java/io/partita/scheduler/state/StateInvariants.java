package io.partita.scheduler.state;

import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** The scheduler state's invariants, checked by tests after every scenario; throws naming the first broken one. */
final class StateInvariants {
    private final SchedulerState state;
    private final Map<String, TaskRecord> tasks;
    private final Map<String, WorkerRecord> workers;
    private final Map<String, Map<String, Integer>> clients;
    private final TreeSet<TaskRecord> ready;
    private final Set<TaskRecord> steals;
    private final Map<String, StateContext.ProcessingGroup> processingGroups;

    StateInvariants(SchedulerState state, Map<String, TaskRecord> tasks, Map<String, WorkerRecord> workers,
                    Map<String, Map<String, Integer>> clients, TreeSet<TaskRecord> ready, Set<TaskRecord> steals,
                    Map<String, StateContext.ProcessingGroup> processingGroups) {
        this.state = state;
        this.tasks = tasks;
        this.workers = workers;
        this.clients = clients;
        this.ready = ready;
        this.steals = steals;
        this.processingGroups = processingGroups;
    }

    void check() {
        for (TaskRecord t : tasks.values()) {
            String k = t.key();
            require(t.state != TaskState.FORGOTTEN, k, "forgotten task still known");
            require((t.state == TaskState.PROCESSING) == (t.processingOn != null), k, "processingOn set iff PROCESSING");
            if (t.processingOn != null) {
                require(workers.get(t.processingOn.id()) == t.processingOn && t.processingOn.processing.contains(t), k,
                        "processing on a worker that does not list it");
            }
            require((t.state == TaskState.MEMORY) == !t.whoHas.isEmpty(), k, "holders iff MEMORY");
            require((t.stealingTo != null) == steals.contains(t), k, "stealingTo set iff in the steals in flight");
            require(t.stealingTo == null || t.state == TaskState.PROCESSING, k, "a steal in flight while " + t.state);
            if (t.scattered) {
                require(t.state != TaskState.WAITING && t.state != TaskState.PROCESSING, k,
                        "scattered data is " + t.state + ", but it can only be held, lost or released");
                require(t.dependencies.isEmpty(), k, "scattered data has dependencies");
                require(t.state != TaskState.ERRED || SchedulerState.LOST_DATA.equals(t.error.type()), k,
                        "scattered data erred with " + t.error + " instead of " + SchedulerState.LOST_DATA);
            }
            for (WorkerRecord w : t.whoHas) {
                require(workers.get(w.id()) == w && w.hasWhat.contains(t), k, "held by an unknown worker");
            }
            if (t.state != TaskState.RELEASED) {
                require(t.needed(), k, "kept in " + t.state + " though nothing needs it");
            } else {
                require(t.wanted() || !t.dependents.isEmpty(), k, "released, unreferenced and without dependents");
            }
            int waiters = 0;
            for (TaskRecord d : t.dependents) {
                require(tasks.get(d.key()) == d, k, "dependent " + d.key() + " is forgotten");
                if (d.state == TaskState.WAITING || d.state == TaskState.PROCESSING) {
                    waiters++;
                }
            }
            require(waiters == t.waiters, k, "waiter count " + t.waiters + " but " + waiters + " waiting dependents");
            for (TaskRecord d : t.dependencies) {
                require(tasks.get(d.key()) == d, k, "dependency " + d.key() + " is forgotten");
                require(d.dependents.contains(t), k, "dependency " + d.key() + " does not list it");
                if (t.state == TaskState.WAITING || t.state == TaskState.PROCESSING) {
                    require(d.state != TaskState.RELEASED && d.state != TaskState.ERRED, k,
                            "active while dependency " + d + " is not coming");
                }
                if (t.state == TaskState.PROCESSING) {
                    require(d.state == TaskState.MEMORY, k, "processing before dependency " + d + " is in memory");
                }
            }
            if (t.state == TaskState.WAITING) {
                Set<TaskRecord> expected = new HashSet<>();
                t.dependencies.stream().filter(d -> d.state != TaskState.MEMORY).forEach(expected::add);
                require(expected.equals(t.waitingOn), k, "waitingOn " + t.waitingOn + " but expected " + expected);
                require(t.waitingOn.isEmpty() == ready.contains(t), k, "ready set out of step");
            } else {
                require(!ready.contains(t), k, "in the ready set while " + t.state);
            }
            for (Map.Entry<String, Integer> ref : t.clientRefs.entrySet()) {
                require(ref.getValue().equals(clients.getOrDefault(ref.getKey(), Map.of()).get(k)), k, "client refs out of step");
            }
        }
        int processing = 0;
        for (WorkerRecord w : workers.values()) {
            double occ = 0;
            for (TaskRecord t : w.processing) {
                occ += t.expectedMicros;
                require(t.running == w.running.contains(t), t.key(), "running out of step with its worker's");
                var group = processingGroups.get(t.group);
                require(group != null && group.tasks.contains(t), t.key(), "processing but not in its group's tasks");
            }
            processing += w.processing.size();
            require(w.processing.containsAll(w.running), w.id(), "running a task it is not processing");
            require(Math.abs(occ - w.occupancyMicros) < 1e-3, w.id(), "occupancy out of step");
            w.resourcesInUse.forEach((r, v) -> require(v > -1e-9, w.id(), "negative use of resource " + r));
        }
        require(processingGroups.values().stream().mapToInt(g -> g.tasks.size()).sum() == processing, "groups",
                "a group's processing tasks out of step");
        for (TaskRecord t : steals) {
            require(tasks.get(t.key()) == t, t.key(), "a steal in flight for a forgotten task");
        }
        clients.forEach((c, refs) -> refs.forEach((k, n) -> require(tasks.containsKey(k)
                && n.equals(tasks.get(k).clientRefs.get(c)), k, "client " + c + " refers to it inconsistently")));
    }

    private void require(boolean ok, String key, String what) {
        if (!ok) {
            throw new IllegalStateException("invariant broken for " + key + ": " + what + "; story: " + state.story(key, 20));
        }
    }
}
