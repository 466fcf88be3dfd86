package io.partita.worker.state;

import io.partita.common.protocol.WorkerAddress;
import io.partita.common.protocol.WorkerCommand.ExecuteTask;
import io.partita.common.protocol.WorkerReport;
import io.partita.common.task.Arg;
import io.partita.worker.state.Instruction.Drop;
import io.partita.worker.state.Instruction.Execute;
import io.partita.worker.state.Instruction.FetchInputs;
import io.partita.worker.state.Instruction.ReportAcquired;
import io.partita.worker.state.Instruction.ReportDone;
import io.partita.worker.state.Instruction.ReportFailed;
import io.partita.worker.state.Instruction.ReportFetchFailed;
import io.partita.worker.state.Instruction.ReportStealResponse;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The worker's task state, apart from all I/O (after Dask's {@code WorkerState}): {@link #handle} is the only way
 * in; it returns what to fetch, run, report and drop. Not thread-safe: the adapter calls it from one event loop.
 */
public final class WorkerState {
    private static final int STORY_LIMIT = 10_000;

    private final String selfId;
    private final int nthreads;
    private final Map<String, Task> tasks = new HashMap<>();
    private final TreeSet<Task> ready = new TreeSet<>(
            Comparator.comparingInt((Task t) -> -t.spec.priority()).thenComparingLong(t -> t.spec.order())
                    .thenComparingLong(t -> t.seq));
    private final Set<String> local = new HashSet<>();
    private final Set<String> fetchedCopies = new HashSet<>();
    private final Map<String, Fetch> fetches = new HashMap<>();
    private final Map<String, Integer> depRefs = new HashMap<>();
    /** Fetches to start once memory is no longer paused (holder to keys), in the order they were wanted. */
    private final Map<WorkerAddress, List<String>> deferredFetches = new LinkedHashMap<>();
    private final ArrayDeque<Transition> story = new ArrayDeque<>();
    private long seq;
    private int running;
    private boolean paused;

    /** A recorded state change of a key, for "what happened to key X". */
    public record Transition(String key, TaskState from, TaskState to, String stimulusId) {}

    private static final class Task {
        final ExecuteTask spec;
        final long seq;
        final List<String> deps;
        final Set<String> missing = new HashSet<>();
        TaskState state;

        Task(ExecuteTask spec, long seq, List<String> deps) {
            this.spec = spec;
            this.seq = seq;
            this.deps = deps;
        }
    }

    private static final class Fetch {
        final ArrayDeque<WorkerAddress> others;
        final Set<String> waiters = new LinkedHashSet<>();
        /** Known to be an Arrow table. */
        final boolean table;
        WorkerAddress current;

        Fetch(List<WorkerAddress> holders, boolean table) {
            this.others = new ArrayDeque<>(holders);
            this.table = table;
            this.current = others.poll();
        }
    }

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
        toFetch.forEach((holder, keys) -> deferredFetches.computeIfAbsent(holder, h -> new ArrayList<>()).addAll(keys));
        if (!paused) {
            startDeferredFetches(sid, out);
        }
        startReady(sid, out);
        return out;
    }

    private void assign(ExecuteTask spec, String sid, Map<WorkerAddress, List<String>> toFetch, List<Instruction> out) {
        if (tasks.containsKey(spec.key()) || local.contains(spec.key())) {
            return; // already here (a repeated command): the first one's report stands
        }
        Set<String> deps = new LinkedHashSet<>(Arg.keysOf(spec.args()));
        deps.addAll(spec.dependencies().keySet());
        Task task = new Task(spec, seq++, List.copyOf(deps));
        for (String dep : task.deps) {
            depRefs.merge(dep, 1, Integer::sum);
            if (!local.contains(dep)) {
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
            Fetch fetch = fetches.get(dep);
            if (fetch == null) {
                List<WorkerAddress> holders = spec.dependencies().getOrDefault(dep, List.of()).stream()
                        .filter(h -> !h.workerId().equals(selfId)).toList();
                if (holders.isEmpty()) {
                    drop(task, dep, "", "no other worker holds it", sid, out);
                    return;
                }
                fetch = new Fetch(holders, spec.tables().contains(dep));
                fetches.put(dep, fetch);
                toFetch.computeIfAbsent(fetch.current, h -> new ArrayList<>()).add(dep);
            }
            fetch.waiters.add(task.spec.key());
        }
    }

    private void fetched(String key, String sid, List<Instruction> out) {
        Fetch fetch = fetches.remove(key);
        if (fetch == null || local.contains(key)) {
            return;
        }
        local.add(key);
        fetchedCopies.add(key);
        for (String waiter : fetch.waiters) {
            Task task = tasks.get(waiter);
            task.missing.remove(key);
            if (task.missing.isEmpty()) {
                move(task, TaskState.READY, sid);
                ready.add(task);
            }
        }
        if (!depRefs.containsKey(key)) {
            dropCopy(key, sid, out); // every task that wanted it went away while it travelled
        }
    }

    /** {@code key} arrived to be kept here in its own right (scattered by a client, or copied off a retiring worker). */
    private void heldInOwnRight(String key, String sid, List<Instruction> out) {
        if (fetches.containsKey(key)) {
            fetched(key, sid, out); // it arrived another way: the waiting tasks may run
        }
        local.add(key);
        fetchedCopies.remove(key); // held in its own right: kept until the scheduler frees it
    }

    private void fetchFailed(String key, WorkerEvent.FetchFailed e, Map<WorkerAddress, List<String>> toFetch,
                             List<Instruction> out) {
        Fetch fetch = fetches.get(key);
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
                          java.util.function.Supplier<Instruction> report) {
        Task task = tasks.get(key);
        if (task == null) {
            throw new IllegalStateException("task " + key + " finished but is not running here; history: " + story(key));
        }
        running--;
        if (task.state == TaskState.CANCELLED) {
            move(task, TaskState.FREED, sid);
            if (ok) {
                out.add(new Drop(sid, List.of(key)));
            }
        } else {
            move(task, ok ? TaskState.DONE : TaskState.ERRED, sid);
            if (ok) {
                local.add(key);
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
        if (!local.contains(key)) {
            return;
        }
        if (depRefs.containsKey(key)) {
            // a task here still uses it (one kept running through a lost scheduler connection, whose input the
            // scheduler has meanwhile rescheduled): kept as a private copy, dropped when the last such task ends
            fetchedCopies.add(key);
            return;
        }
        local.remove(key);
        fetchedCopies.remove(key);
        out.add(new Drop(sid, List.of(key)));
    }

    /** Keys already here are kept in their own right at once; the others are copied from their first other holder. */
    private void acquire(Map<String, List<WorkerAddress>> keys, String sid, List<Instruction> out) {
        List<String> already = new ArrayList<>();
        List<String> failed = new ArrayList<>();
        Map<WorkerAddress, List<String>> byHolder = new LinkedHashMap<>();
        keys.forEach((key, holders) -> {
            if (local.contains(key)) {
                fetchedCopies.remove(key);
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
            Fetch fetch = fetches.get(dep);
            if (fetch != null) {
                fetch.waiters.remove(task.spec.key());
            }
        }
        for (String dep : task.deps) {
            if (depRefs.merge(dep, -1, Integer::sum) <= 0) {
                depRefs.remove(dep);
                if (fetchedCopies.contains(dep)) {
                    dropCopy(dep, sid, out);
                }
            }
        }
    }

    private void dropCopy(String key, String sid, List<Instruction> out) {
        fetchedCopies.remove(key);
        local.remove(key);
        out.add(new Drop(sid, List.of(key)));
    }

    /** Starts the fetches wanted so far, skipping those no longer needed or moved on to another holder. */
    private void startDeferredFetches(String sid, List<Instruction> out) {
        deferredFetches.forEach((holder, keys) -> {
            List<String> still = new ArrayList<>();
            Set<String> tables = new HashSet<>();
            for (String key : keys) {
                Fetch fetch = fetches.get(key);
                if (fetch == null || !holder.equals(fetch.current) || still.contains(key)) {
                    continue; // arrived another way, or failed over to another holder
                }
                if (fetch.waiters.isEmpty()) {
                    fetches.remove(key); // every task that wanted it went away while it waited
                    continue;
                }
                still.add(key);
                if (fetch.table) {
                    tables.add(key);
                }
            }
            if (!still.isEmpty()) {
                out.add(new FetchInputs(sid, holder, still, tables));
            }
        });
        deferredFetches.clear();
    }

    /** Fetches waiting for memory to fall under the pause fraction (for tests and the dashboard). */
    public int deferredFetches() {
        return deferredFetches.values().stream().mapToInt(List::size).sum();
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
        if (story.size() >= STORY_LIMIT) {
            story.pollFirst();
        }
        story.addLast(new Transition(task.spec.key(), task.state, to, sid));
        task.state = to;
    }

    /** Recorded transitions of {@code key}, oldest first (bounded history). */
    public List<Transition> story(String key) {
        return story.stream().filter(t -> t.key().equals(key)).toList();
    }

    public TaskState state(String key) {
        Task task = tasks.get(key);
        return task == null ? (local.contains(key) ? TaskState.DONE : null) : task.state;
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
        return local.contains(key);
    }

    public Set<String> heldKeys() {
        return Set.copyOf(local);
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
                    Fetch f = fetches.get(dep);
                    if (f == null || !f.waiters.contains(t.spec.key())) {
                        throw new IllegalStateException(t.spec.key() + " waits for " + dep + " but no fetch is in flight");
                    }
                }
            }
        }
    }
}
