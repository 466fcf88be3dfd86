package io.partita.worker.state;

import io.partita.common.protocol.WorkerAddress;
import io.partita.common.protocol.WorkerCommand.ExecuteTask;
import io.partita.common.protocol.WorkerReport;
import io.partita.common.task.Arg;
import io.partita.worker.state.Instruction.Drop;
import io.partita.worker.state.Instruction.Execute;
import io.partita.worker.state.Instruction.ReportAcquired;
import io.partita.worker.state.Instruction.ReportDone;
import io.partita.worker.state.Instruction.ReportFailed;
import io.partita.worker.state.Instruction.ReportFetchFailed;
import io.partita.worker.state.Instruction.ReportStealResponse;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;

/**
 * The worker's task state, apart from all I/O (after Dask's {@code WorkerState}): {@link #handle} is the only way
 * in; it returns what to fetch, run, report and drop. Not thread-safe: the adapter calls it from one event loop.
 */
public final class WorkerState {
    private final String selfId;
    private final int nthreads;
    private final Map<String, Task> tasks = new HashMap<>();
    private final TreeSet<Task> ready = new TreeSet<>(
            Comparator.comparingInt((Task t) -> -t.spec.priority()).thenComparingLong(t -> t.spec.order())
                    .thenComparingLong(t -> t.seq));
    /** Which keys are held here and why: the one record of it (the store only keeps their bytes). */
    private final HeldKeys held = new HeldKeys();
    private final Fetches fetches = new Fetches();
    private final TaskStory story = new TaskStory();
    private long seq;
    private int running;
    private boolean paused;

    /** A recorded state change of a key, for "what happened to key X". */
    public record Transition(String key, TaskState from, TaskState to, String stimulusId) {}

    public WorkerState(String selfId, int nthreads) {
        if (nthreads < 1) {
            throw new IllegalArgumentException("nthreads must be at least 1");
        }
        this.selfId = selfId;
        this.nthreads = nthreads;
    }

    public List<Instruction> handle(WorkerEvent event) {
        List<Instruction> out = new ArrayList<>();
        Map<WorkerAddress, List<String>> toFetch = new LinkedHashMap<>();
        String sid = event.stimulusId();
        switch (event) {
            case WorkerEvent.TasksAssigned e -> e.tasks().forEach(t -> assign(t, sid, toFetch, out));
            case WorkerEvent.InputsFetched e -> e.keys().forEach(k -> fetched(k, sid, out));
            case WorkerEvent.FetchFailed e -> e.keys().forEach(k -> fetchFailed(k, e, toFetch, out));
            case WorkerEvent.TaskCompleted e -> finished(e.key(), sid, out, true,
                    () -> new ReportDone(sid, new WorkerReport.TaskDone(e.key(), e.nbytes(), e.type(), e.startMillis(),
                            e.durationMicros(), e.thread())));
            case WorkerEvent.TaskErred e -> finished(e.key(), sid, out, false,
                    () -> new ReportFailed(sid, new WorkerReport.TaskFailed(e.key(), e.error(), e.runElsewhere())));
            case WorkerEvent.KeysFreed e -> e.keys().forEach(k -> free(k, sid, out));
            case WorkerEvent.StealRequested e -> steal(e.keys(), sid, out);
            case WorkerEvent.SchedulerLost e -> {
                for (Task task : List.copyOf(tasks.values())) {
                    if (task.state == TaskState.FETCHING || task.state == TaskState.READY) {
                        ready.remove(task);
                        move(task, TaskState.FREED, sid);
                        release(task, sid, out);
                    }
                }
            }
            case WorkerEvent.AcquireRequested e -> acquire(e.keys(), sid, out);
            case WorkerEvent.KeysAcquired e -> {
                e.acquired().forEach(k -> heldInOwnRight(k, sid, out));
                out.add(new ReportAcquired(sid, new WorkerReport.KeysAcquired(List.copyOf(e.acquired()), List.copyOf(e.failed()))));
            }
            case WorkerEvent.KeysScattered e -> e.keys().forEach(k -> heldInOwnRight(k, sid, out));
            case WorkerEvent.MemoryPaused e -> paused = e.paused();
        }
        // while paused, no new fetch starts (a fetched input would only add memory); fetches already under way finish
        fetches.defer(toFetch);
        if (!paused) {
            fetches.startDeferred(sid, out);
        }
        startReady(sid, out);
        return out;
    }

    private void assign(ExecuteTask spec, String sid, Map<WorkerAddress, List<String>> toFetch, List<Instruction> out) {
        Task existing = tasks.get(spec.key());
        if (existing != null && existing.state == TaskState.CANCELLED) {
            move(existing, TaskState.EXECUTING, sid); // freed while it ran, wanted again: its result will be reported
            return;
        }
        if (existing != null || held.holds(spec.key())) {
            return; // already here (a repeated command): the first one's report stands
        }
        Set<String> deps = new LinkedHashSet<>(Arg.keysOf(spec.args()));
        deps.addAll(spec.dependencies().keySet());
        Task task = new Task(spec, seq++, List.copyOf(deps));
        for (String dep : task.deps) {
            held.use(dep);
            if (!held.holds(dep)) {
                task.missing.add(dep);
            }
        }
        tasks.put(spec.key(), task);
        if (task.missing.isEmpty()) {
            move(task, TaskState.READY, sid);
            ready.add(task);
            return;
        }
        move(task, TaskState.FETCHING, sid);
        for (String dep : List.copyOf(task.missing)) {
            Fetches.Fetch fetch = fetches.get(dep);
            List<WorkerAddress> holders = spec.dependencies().getOrDefault(dep, List.of()).stream()
                    .filter(h -> !h.workerId().equals(selfId)).toList();
            if (fetch != null && !holders.isEmpty() && !holders.contains(fetch.current)) {
                // The scheduler no longer lists the holder this fetch waits on (lost: behind a cut link it may never
                // answer): ask the ones it lists now. What the old request brings later is taken, or ignored as stale.
                fetch.redirect(holders);
                toFetch.computeIfAbsent(fetch.current, h -> new ArrayList<>()).add(dep);
            }
            if (fetch == null) {
                if (holders.isEmpty()) {
                    drop(task, dep, "", "no other worker holds it", sid, out);
                    return;
                }
                fetch = fetches.start(dep, holders, spec.tables().contains(dep));
                toFetch.computeIfAbsent(fetch.current, h -> new ArrayList<>()).add(dep);
            }
            fetch.waiters.add(task.spec.key());
        }
    }

    /** {@code key} is here now (fetched, or arrived another way while a fetch of it was under way): its waiters run. */
    private void fetched(String key, String sid, List<Instruction> out) {
        Fetches.Fetch fetch = fetches.remove(key);
        if (fetch == null) {
            return; // stale: it arrived another way first
        }
        if (!held.holds(key)) {
            held.holdCopy(key);
        }
        for (String waiter : fetch.waiters) {
            Task task = tasks.get(waiter);
            task.missing.remove(key);
            if (task.missing.isEmpty()) {
                move(task, TaskState.READY, sid);
                ready.add(task);
            }
        }
        if (!held.inUse(key) && held.isCopy(key)) {
            dropCopy(key, sid, out); // every task that wanted it went away while it travelled
        }
    }

    /** {@code key} arrived to be kept here in its own right (scattered by a client, or copied off a retiring worker). */
    private void heldInOwnRight(String key, String sid, List<Instruction> out) {
        held.holdInOwnRight(key); // kept until the scheduler frees it
        fetched(key, sid, out); // if a fetch of it is under way, the tasks waiting for it may run now
    }

    private void fetchFailed(String key, WorkerEvent.FetchFailed e, Map<WorkerAddress, List<String>> toFetch,
                             List<Instruction> out) {
        Fetches.Fetch fetch = fetches.get(key);
        if (fetch == null || !fetch.current.workerId().equals(e.holderWorkerId())) {
            return; // stale: already fetched or already moved on to another holder
        }
        fetch.current = fetch.others.poll();
        if (fetch.current != null) {
            toFetch.computeIfAbsent(fetch.current, h -> new ArrayList<>()).add(key);
            return;
        }
        fetches.remove(key);
        for (String waiter : List.copyOf(fetch.waiters)) {
            drop(tasks.get(waiter), key, e.holderWorkerId(), e.error(), e.stimulusId(), out);
        }
    }

    private void drop(Task task, String dep, String holder, String error, String sid, List<Instruction> out) {
        move(task, TaskState.DROPPED, sid);
        out.add(new ReportFetchFailed(sid, new WorkerReport.FetchFailed(task.spec.key(), dep, holder,
                "cannot fetch " + dep + ": " + error)));
        release(task, sid, out);
    }

    private void finished(String key, String sid, List<Instruction> out, boolean ok,
                          Supplier<Instruction> report) {
        Task task = tasks.get(key);
        if (task == null) {
            throw new IllegalStateException("task " + key + " finished but is not running here; history: " + story(key));
        }
        running--;
        // A key computed here may be wanted by other tasks here meanwhile (the scheduler, after a lost connection, may
        // have rescheduled it and sent its dependents here): fetched for them, or being fetched. The store holds the
        // key's value either way, so it is never dropped while held, and a fetch under way is satisfied by it.
        if (task.state == TaskState.CANCELLED) {
            move(task, TaskState.FREED, sid);
            if (ok && fetches.contains(key)) {
                fetched(key, sid, out);
            } else if (ok && !held.holds(key)) {
                out.add(new Drop(sid, List.of(key)));
            }
        } else {
            move(task, ok ? TaskState.DONE : TaskState.ERRED, sid);
            if (ok) {
                held.hold(key);
                fetched(key, sid, out);
            }
            out.add(report.get());
        }
        release(task, sid, out);
    }

    private void free(String key, String sid, List<Instruction> out) {
        Task task = tasks.get(key);
        if (task != null) {
            switch (task.state) {
                case EXECUTING -> move(task, TaskState.CANCELLED, sid);
                case FETCHING, READY -> {
                    ready.remove(task);
                    move(task, TaskState.FREED, sid);
                    release(task, sid, out);
                }
                default -> { }
            }
        }
        if (!held.holds(key)) {
            return;
        }
        if (held.inUse(key)) {
            // a task here still uses it (one kept running through a lost scheduler connection, whose input the
            // scheduler has meanwhile rescheduled): kept as a private copy, dropped when the last such task ends
            held.keepAsCopy(key);
            return;
        }
        held.forget(key);
        out.add(new Drop(sid, List.of(key)));
    }

    /** Keys already here are kept in their own right at once; the others are copied from their first other holder. */
    private void acquire(Map<String, List<WorkerAddress>> keys, String sid, List<Instruction> out) {
        List<String> already = new ArrayList<>();
        List<String> failed = new ArrayList<>();
        Map<WorkerAddress, List<String>> byHolder = new LinkedHashMap<>();
        keys.forEach((key, holders) -> {
            if (held.holds(key)) {
                held.holdInOwnRight(key);
                already.add(key);
                return;
            }
            holders.stream().filter(h -> !h.workerId().equals(selfId)).findFirst().ifPresentOrElse(
                    h -> byHolder.computeIfAbsent(h, x -> new ArrayList<>()).add(key), () -> failed.add(key));
        });
        if (!already.isEmpty() || !failed.isEmpty()) {
            out.add(new ReportAcquired(sid, new WorkerReport.KeysAcquired(already, failed)));
        }
        byHolder.forEach((holder, ks) -> out.add(new Instruction.Acquire(sid, holder, ks)));
    }

    /** Gives back the tasks that have not started (they are forgotten here, as if freed); keeps the others. */
    private void steal(List<String> keys, String sid, List<Instruction> out) {
        List<String> released = new ArrayList<>();
        List<String> kept = new ArrayList<>();
        for (String key : keys) {
            Task task = tasks.get(key);
            if (task != null && (task.state == TaskState.FETCHING || task.state == TaskState.READY)) {
                ready.remove(task);
                move(task, TaskState.FREED, sid);
                release(task, sid, out);
                released.add(key);
            } else {
                kept.add(key); // running, or already finished (its report is on its way)
            }
        }
        out.add(new ReportStealResponse(sid, new WorkerReport.StealResponse(released, kept)));
    }

    /** Forgets a task that reached a terminal state; drops fetched inputs no other task here still needs. */
    private void release(Task task, String sid, List<Instruction> out) {
        tasks.remove(task.spec.key());
        for (String dep : task.missing) {
            Fetches.Fetch fetch = fetches.get(dep);
            if (fetch != null) {
                fetch.waiters.remove(task.spec.key());
            }
        }
        for (String dep : task.deps) {
            if (held.unuse(dep) && held.isCopy(dep)) {
                dropCopy(dep, sid, out);
            }
        }
    }

    private void dropCopy(String key, String sid, List<Instruction> out) {
        held.forget(key);
        out.add(new Drop(sid, List.of(key)));
    }

    /** Fetches waiting for memory to fall under the pause fraction (for tests and the dashboard). */
    public int deferredFetches() {
        return fetches.deferredCount();
    }

    private void startReady(String sid, List<Instruction> out) {
        while (!paused && running < nthreads && !ready.isEmpty()) {
            Task task = ready.pollFirst();
            move(task, TaskState.EXECUTING, sid);
            running++;
            out.add(new Execute(sid, task.spec));
        }
    }

    private void move(Task task, TaskState to, String sid) {
        TaskState.check(task.spec.key(), task.state, to, (Object) new Object() {
            @Override
            public String toString() {
                return story(task.spec.key()).toString();
            }
        });
        story.record(new Transition(task.spec.key(), task.state, to, sid));
        task.state = to;
    }

    /** Recorded transitions of {@code key}, oldest first (bounded history). */
    public List<Transition> story(String key) {
        return story.of(key);
    }

    public TaskState state(String key) {
        Task task = tasks.get(key);
        return task == null ? (held.holds(key) ? TaskState.DONE : null) : task.state;
    }

    /** True while memory is over the pause fraction: ready tasks wait. */
    public boolean paused() {
        return paused;
    }

    public int running() {
        return running;
    }

    /** Tasks received and not started: waiting for inputs or for a thread. */
    public int queued() {
        return tasks.size() - running;
    }

    public boolean holds(String key) {
        return held.holds(key);
    }

    /**
     * The keys held here in their own right (results, scattered and acquired keys; not the copies fetched for tasks
     * here, which go when those tasks end): what a scheduler is told this worker holds when it registers.
     */
    public Set<String> keysInOwnRight() {
        return held.inOwnRight();
    }

    /** Throws if the internal bookkeeping is inconsistent (for tests). */
    public void checkInvariants() {
        long executing = tasks.values().stream()
                .filter(t -> t.state == TaskState.EXECUTING || t.state == TaskState.CANCELLED).count();
        if (executing != running || running > nthreads) {
            throw new IllegalStateException("running " + running + " but " + executing + " executing, nthreads " + nthreads);
        }
        for (Task t : tasks.values()) {
            if (t.state.terminal()) {
                throw new IllegalStateException("terminal task kept: " + t.spec.key());
            }
            if ((t.state == TaskState.READY) != ready.contains(t)) {
                throw new IllegalStateException("ready queue out of step for " + t.spec.key());
            }
            if (t.state == TaskState.FETCHING) {
                for (String dep : t.missing) {
                    Fetches.Fetch f = fetches.get(dep);
                    if (f == null || !f.waiters.contains(t.spec.key())) {
                        throw new IllegalStateException(t.spec.key() + " waits for " + dep + " but no fetch is in flight");
                    }
                }
            }
        }
    }
}
