package io.partita.scheduler.state;

import io.partita.common.protocol.ClientRequest.ScatteredKey;
import io.partita.common.protocol.ClientUpdate;
import io.partita.common.protocol.ClientUpdate.KeyErred;
import io.partita.common.protocol.ClientUpdate.KeyFinished;
import io.partita.common.protocol.WorkerAddress;
import io.partita.common.protocol.WorkerCommand;
import io.partita.common.protocol.WorkerCommand.ExecuteTask;
import io.partita.common.protocol.WorkerInfo;
import io.partita.common.protocol.WorkerReport.TaskDone;
import io.partita.common.protocol.WorkerReport.TaskFailed;
import io.partita.common.task.FunctionSpec;
import io.partita.common.task.Keys;
import io.partita.common.task.RemoteError;
import io.partita.common.task.TaskSpec;
import io.partita.scheduler.state.Event.CancelRequested;
import io.partita.scheduler.state.Event.ClientConnected;
import io.partita.scheduler.state.Event.ClientDisconnected;
import io.partita.scheduler.state.Event.DataScattered;
import io.partita.scheduler.state.Event.FetchFailed;
import io.partita.scheduler.state.Event.GraphSubmitted;
import io.partita.scheduler.state.Event.KeysReleased;
import io.partita.scheduler.state.Event.TasksFailed;
import io.partita.scheduler.state.Event.TasksFinished;
import io.partita.scheduler.state.Event.WhoHasAsked;
import io.partita.scheduler.state.Event.WorkerJoined;
import io.partita.scheduler.state.Event.WorkerLeft;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The scheduler's task state, Dask-like, free of I/O: {@link #handle} is the only way to change it; it returns the
 * messages to send. Not thread-safe: one event loop owns it.
 */
public final class SchedulerState {
    public static final String KILLED_WORKER = "io.partita.KilledWorker";
    /** The error type of scattered data (and its dependents) whose only copy was lost: it cannot be recomputed. */
    public static final String LOST_DATA = "io.partita.LostData";
    private static final Comparator<TaskRecord> READY_ORDER =
            Comparator.comparingInt((TaskRecord t) -> -t.spec.priority()).thenComparingLong(t -> t.seq);

    private final String schedulerId;
    private final SchedulerLimits limits;
    private final GraphValidator validator;
    private final Map<String, TaskRecord> tasks = new HashMap<>();
    private final Map<String, WorkerRecord> workers = new LinkedHashMap<>();
    private final Map<String, Map<String, Integer>> clients = new HashMap<>();
    private final Map<String, FunctionSpec> functions = new HashMap<>();
    private final Map<String, Integer> functionRefs = new HashMap<>();
    private final Map<String, Double> groupDurationMicros = new HashMap<>();
    /** WAITING tasks whose dependencies are all in memory, not yet placed (no worker, or restrictions). */
    private final TreeSet<TaskRecord> ready = new TreeSet<>(READY_ORDER);
    /** Tasks whose need may have dropped; settled at the end of each event. */
    private final Set<TaskRecord> releaseCandidates = new LinkedHashSet<>();
    private final TransitionLog log = new TransitionLog(100_000);
    private final Outbox out = new Outbox();
    private boolean placementDirty;
    private String stimulus = "init";
    private long now;
    private long seq;
    private long finishedCount;
    private long erredCount;

    public SchedulerState(String schedulerId, SchedulerLimits limits, ArtifactCatalog artifacts) {
        this.schedulerId = schedulerId;
        this.limits = limits;
        this.validator = new GraphValidator(limits, artifacts);
    }

    public List<Instruction> handle(Event event, long nowMillis) {
        return handle(List.of(event), nowMillis);
    }

    /** Handles {@code events} in order, then places ready tasks once and returns the batched messages. */
    public List<Instruction> handle(List<? extends Event> events, long nowMillis) {
        now = nowMillis;
        for (Event e : events) {
            stimulus = e.stimulusId();
            apply(e);
            settleReleases();
        }
        place();
        return out.drain(w -> workers.get(w).sentFunctions, functions::get);
    }

    private void apply(Event event) {
        switch (event) {
            case ClientConnected e -> clients.computeIfAbsent(e.clientId(), c -> new HashMap<>());
            case ClientDisconnected e -> onClientDisconnected(e);
            case GraphSubmitted e -> onGraphSubmitted(e);
            case DataScattered e -> onDataScattered(e);
            case KeysReleased e -> e.keys().forEach(k -> dropRef(e.clientId(), k, false));
            case CancelRequested e -> onCancel(e);
            case WhoHasAsked e -> out.toClient(e.clientId(), new ClientUpdate.WhoHasReply(e.requestId(), holders(e.keys())));
            case WorkerJoined e -> onWorkerJoined(e.info(), e.heldKeys());
            case WorkerLeft e -> onWorkerLeft(e.workerId());
            case TasksFinished e -> onTasksFinished(e.workerId(), e.tasks());
            case TasksFailed e -> onTasksFailed(e.workerId(), e.tasks());
            case FetchFailed e -> onFetchFailed(e);
        }
    }

    // ---- clients

    private void onGraphSubmitted(GraphSubmitted e) {
        Optional<String> problem = validator.validate(e.graph(), tasks::containsKey);
        if (problem.isPresent()) {
            out.toClient(e.clientId(), new ClientUpdate.RequestFailed(e.requestId(), problem.get()));
            return;
        }
        clients.computeIfAbsent(e.clientId(), c -> new HashMap<>());
        e.graph().functions().forEach(f -> functions.putIfAbsent(f.id(), f));
        List<TaskRecord> added = new ArrayList<>();
        for (TaskSpec spec : e.graph().tasks()) {
            if (!tasks.containsKey(spec.key())) {
                TaskRecord t = new TaskRecord(spec, new ArrayList<>(), seq++);
                tasks.put(spec.key(), t);
                functionRefs.merge(spec.function(), 1, Integer::sum);
                added.add(t);
                record(t, TaskState.FORGOTTEN, TaskState.RELEASED);
            }
        }
        for (TaskRecord t : added) {
            for (String depKey : new LinkedHashSet<>(t.spec.dependencies())) {
                TaskRecord d = tasks.get(depKey);
                t.dependencies.add(d);
                d.dependents.add(t);
            }
        }
        out.toClient(e.clientId(), new ClientUpdate.GraphAccepted(e.requestId(), e.graph().tasks().size()));
        for (String key : e.graph().wanted()) {
            TaskRecord t = tasks.get(key);
            t.clientRefs.merge(e.clientId(), 1, Integer::sum);
            clients.get(e.clientId()).merge(key, 1, Integer::sum);
        }
        for (String key : new LinkedHashSet<>(e.graph().wanted())) {
            TaskRecord t = tasks.get(key);
            switch (t.state) {
                case RELEASED -> toWaiting(t);
                case MEMORY -> out.finished(e.clientId(), keyFinished(t));
                case ERRED -> out.erred(e.clientId(), new KeyErred(key, t.error));
                default -> { }
            }
        }
        releaseCandidates.addAll(added); // tasks of the graph that nothing wants are dropped at once
    }

    /**
     * Registers values a client put on a worker as keys in MEMORY there, one client reference each; all or nothing.
     * A key already scattered with the same type and size gains a holder (and a reference); any other existing key
     * refuses the request. On refusal the worker is told to free what it was given and the scheduler does not track.
     */
    private void onDataScattered(DataScattered e) {
        WorkerRecord w = workers.get(e.workerId());
        Optional<String> problem = scatterProblem(e, w);
        if (problem.isPresent()) {
            out.toClient(e.clientId(), new ClientUpdate.RequestFailed(e.requestId(), problem.get()));
            if (w != null) {
                for (ScatteredKey k : e.keys()) {
                    TaskRecord t = k.key() == null ? null : tasks.get(k.key());
                    if (k.key() != null && (t == null || !t.whoHas.contains(w))) {
                        out.free(w.id(), k.key());
                    }
                }
            }
            return;
        }
        Map<String, Integer> refs = clients.computeIfAbsent(e.clientId(), c -> new HashMap<>());
        for (ScatteredKey k : e.keys()) {
            TaskRecord t = tasks.get(k.key());
            if (t == null) {
                t = TaskRecord.scattered(k.key(), seq++);
                tasks.put(k.key(), t);
                record(t, TaskState.FORGOTTEN, TaskState.RELEASED);
                t.nbytes = k.nbytes();
                t.type = k.type();
                transition(t, TaskState.MEMORY);
            }
            if (t.whoHas.add(w)) {
                w.hasWhat.add(t);
            }
            t.clientRefs.merge(e.clientId(), 1, Integer::sum);
            refs.merge(k.key(), 1, Integer::sum);
        }
        out.toClient(e.clientId(), new ClientUpdate.GraphAccepted(e.requestId(), e.keys().size()));
        for (ScatteredKey k : new LinkedHashSet<>(e.keys())) {
            out.finished(e.clientId(), keyFinished(tasks.get(k.key())));
        }
        placementDirty = true; // tasks may wait for nothing else
    }

    private Optional<String> scatterProblem(DataScattered e, WorkerRecord w) {
        if (w == null) {
            return Optional.of("worker " + e.workerId() + " is not connected to this scheduler (it may have left after the"
                    + " data was put there): scatter the data again");
        }
        if (e.keys().isEmpty()) {
            return Optional.of("no keys to register: RegisterScattered needs at least one key");
        }
        if (e.keys().size() > limits.maxGraphTasks()) {
            return Optional.of("scatter of " + e.keys().size() + " keys is over the limit of " + limits.maxGraphTasks()
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
            TaskRecord t = tasks.get(k.key());
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

    private void onClientDisconnected(ClientDisconnected e) {
        Map<String, Integer> refs = clients.remove(e.clientId());
        if (refs == null) {
            return;
        }
        for (String key : refs.keySet()) {
            TaskRecord t = tasks.get(key);
            if (t != null) {
                t.clientRefs.remove(e.clientId());
                releaseCandidates.add(t);
            }
        }
    }

    private void onCancel(CancelRequested e) {
        for (String key : e.keys()) {
            dropRef(e.clientId(), key, true);
        }
        out.toClient(e.clientId(), new ClientUpdate.KeysCancelled(e.requestId(), e.keys(), "cancelled by the client"));
    }

    private void dropRef(String clientId, String key, boolean all) {
        Map<String, Integer> refs = clients.get(clientId);
        TaskRecord t = tasks.get(key);
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
        releaseCandidates.add(t);
    }

    // ---- workers

    private void onWorkerJoined(WorkerInfo info, List<String> heldKeys) {
        if (workers.containsKey(info.workerId())) {
            onWorkerLeft(info.workerId()); // a reconnect we noticed before the disconnect
        }
        WorkerRecord w = new WorkerRecord(info);
        workers.put(info.workerId(), w);
        out.toWorker(w.id(), new WorkerCommand.Registered(schedulerId));
        for (String key : heldKeys) {
            TaskRecord t = tasks.get(key);
            if (t != null && t.state == TaskState.MEMORY) {
                t.whoHas.add(w);
                w.hasWhat.add(t);
            } else {
                out.free(w.id(), key);
            }
        }
        placementDirty = true;
    }

    private void onWorkerLeft(String workerId) {
        WorkerRecord w = workers.remove(workerId);
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
            unassign(t, false);
            t.suspicious++;
        }
        List<TaskRecord> requeue = new ArrayList<>();
        lost.forEach(t -> lose(t, requeue));
        for (TaskRecord t : rerun) {
            if (t.suspicious > limits.allowedFailures()) {
                err(t, RemoteError.of(KILLED_WORKER, "task " + t.key() + " was running on " + t.suspicious
                        + " workers that died", t.key()));
            } else {
                toWaiting(t);
            }
        }
        requeue.forEach(this::toWaiting);
        recomputeIfNeeded(lost);
    }

    /** {@code t} has no holder left: back to RELEASED; dependents that counted on it wait for it again. */
    private void lose(TaskRecord t, List<TaskRecord> requeue) {
        transition(t, TaskState.RELEASED);
        for (TaskRecord d : t.dependents) {
            if (d.state == TaskState.WAITING) {
                d.waitingOn.add(t);
                ready.remove(d);
            } else if (d.state == TaskState.PROCESSING && d.processingOn != null) {
                unassign(d, true); // (one without a worker was on the dead worker: its caller re-plans it)
                requeue.add(d);
            }
        }
    }

    private void recomputeIfNeeded(List<TaskRecord> lost) {
        for (TaskRecord t : lost) {
            if (t.state == TaskState.RELEASED && t.needed()) {
                toWaiting(t);
            } else {
                releaseCandidates.add(t);
            }
        }
    }

    private void onTasksFinished(String workerId, List<TaskDone> dones) {
        WorkerRecord w = workers.get(workerId);
        if (w == null) {
            return;
        }
        for (TaskDone done : dones) {
            TaskRecord t = tasks.get(done.key());
            if (t == null || t.state != TaskState.PROCESSING || t.processingOn != w) {
                if (t != null && t.state == TaskState.MEMORY) {
                    t.whoHas.add(w); // a late duplicate: one more replica
                    w.hasWhat.add(t);
                } else {
                    out.free(w.id(), done.key()); // nobody wants it any more
                }
                continue;
            }
            unassign(t, false);
            groupDurationMicros.merge(t.group, (double) done.durationMicros(), (old, d) -> 0.5 * old + 0.5 * d);
            transition(t, TaskState.MEMORY);
            finishedCount++;
            t.nbytes = done.nbytes();
            t.type = done.type();
            t.whoHas.add(w);
            w.hasWhat.add(t);
            KeyFinished finished = keyFinished(t);
            t.clientRefs.keySet().forEach(c -> out.finished(c, finished));
            for (TaskRecord d : t.dependents) {
                if (d.state == TaskState.WAITING && d.waitingOn.remove(t) && d.waitingOn.isEmpty()) {
                    markReady(d);
                }
            }
            releaseCandidates.addAll(t.dependencies);
            releaseCandidates.add(t);
        }
    }

    private void onTasksFailed(String workerId, List<TaskFailed> failures) {
        WorkerRecord w = workers.get(workerId);
        if (w == null) {
            return;
        }
        for (TaskFailed f : failures) {
            TaskRecord t = tasks.get(f.key());
            if (t == null || t.state != TaskState.PROCESSING || t.processingOn != w) {
                continue;
            }
            unassign(t, false);
            if (t.retriesLeft > 0) {
                t.retriesLeft--;
                toWaiting(t);
            } else {
                err(t, f.error());
            }
        }
    }

    private void onFetchFailed(FetchFailed e) {
        WorkerRecord w = workers.get(e.workerId());
        TaskRecord dep = tasks.get(e.dependency());
        WorkerRecord holder = workers.get(e.holderWorkerId());
        List<TaskRecord> requeue = new ArrayList<>();
        List<TaskRecord> lost = new ArrayList<>();
        if (dep != null && holder != null && dep.whoHas.remove(holder)) {
            holder.hasWhat.remove(dep);
            out.free(holder.id(), dep.key()); // whatever it has left of it, it is no longer counted on
            if (dep.whoHas.isEmpty() && dep.state == TaskState.MEMORY) {
                lost.add(dep);
                dep.lostFrom = holder.id();
                dep.lostWhy = "worker " + e.workerId() + " could not fetch it from there: " + e.error();
                lose(dep, requeue);
            }
        }
        TaskRecord t = tasks.get(e.key());
        if (t != null && w != null && t.state == TaskState.PROCESSING && t.processingOn == w) {
            unassign(t, false);
            requeue.add(t);
        }
        requeue.forEach(this::toWaiting);
        recomputeIfNeeded(lost);
    }

    // ---- transitions

    /** Moves {@code start} (RELEASED, or PROCESSING already unassigned) to WAITING, and its released dependencies. */
    private void toWaiting(TaskRecord start) {
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
                err(t, lostData(t)); // nothing to recompute it from
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
            transition(t, TaskState.WAITING);
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
                markReady(t);
            }
        }
    }

    /** Errs {@code start} and every dependent that would still run, with the same error. */
    private void err(TaskRecord start, RemoteError error) {
        Deque<TaskRecord> stack = new ArrayDeque<>();
        stack.push(start);
        while (!stack.isEmpty()) {
            TaskRecord t = stack.pop();
            if (t.state == TaskState.ERRED) {
                continue;
            }
            if (t.processingOn != null) {
                unassign(t, true);
            }
            ready.remove(t);
            t.waitingOn.clear();
            transition(t, TaskState.ERRED);
            erredCount++;
            t.error = error;
            KeyErred erred = new KeyErred(t.key(), error);
            t.clientRefs.keySet().forEach(c -> out.erred(c, erred));
            for (TaskRecord d : t.dependents) {
                if (d.state == TaskState.WAITING || d.state == TaskState.PROCESSING) {
                    stack.push(d);
                }
            }
            releaseCandidates.addAll(t.dependencies);
            releaseCandidates.add(t);
        }
    }

    /** Releases, and forgets, every candidate nothing needs any more; cascades to their dependencies. */
    private void settleReleases() {
        while (!releaseCandidates.isEmpty()) {
            Iterator<TaskRecord> it = releaseCandidates.iterator();
            TaskRecord t = it.next();
            it.remove();
            if (tasks.get(t.key()) != t || t.needed()) {
                continue;
            }
            switch (t.state) {
                case WAITING -> {
                    ready.remove(t);
                    t.waitingOn.clear();
                    transition(t, TaskState.RELEASED);
                    releaseCandidates.addAll(t.dependencies);
                }
                case PROCESSING -> {
                    unassign(t, true);
                    transition(t, TaskState.RELEASED);
                    releaseCandidates.addAll(t.dependencies);
                }
                case MEMORY -> {
                    for (WorkerRecord w : t.whoHas) {
                        out.free(w.id(), t.key());
                        w.hasWhat.remove(t);
                    }
                    t.whoHas.clear();
                    transition(t, TaskState.RELEASED);
                    t.lostFrom = null;
                    t.lostWhy = "it was released";
                }
                case ERRED -> {
                    t.error = null;
                    transition(t, TaskState.RELEASED);
                }
                case RELEASED, FORGOTTEN -> { }
            }
            if (t.state == TaskState.RELEASED && t.dependents.isEmpty()) {
                forget(t);
            }
        }
    }

    private void forget(TaskRecord t) {
        transition(t, TaskState.FORGOTTEN);
        tasks.remove(t.key());
        if (!t.scattered && functionRefs.merge(t.spec.function(), -1, Integer::sum) <= 0) {
            functionRefs.remove(t.spec.function());
            functions.remove(t.spec.function());
        }
        for (TaskRecord d : t.dependencies) {
            d.dependents.remove(t);
            releaseCandidates.add(d);
        }
    }

    private void transition(TaskRecord t, TaskState to) {
        TaskState from = t.state;
        if (!from.canMoveTo(to, t.scattered)) {
            throw new IllegalTransitionException(t.key(), from, to, stimulus, story(t.key(), 20));
        }
        boolean wasActive = from == TaskState.WAITING || from == TaskState.PROCESSING;
        boolean isActive = to == TaskState.WAITING || to == TaskState.PROCESSING;
        if (wasActive != isActive) {
            for (TaskRecord d : t.dependencies) {
                d.waiters += isActive ? 1 : -1;
                if (!isActive) {
                    releaseCandidates.add(d);
                }
            }
        }
        t.state = to;
        record(t, from, to);
    }

    private static RemoteError lostData(TaskRecord t) {
        String how = t.lostFrom != null
                ? "was held only by worker " + t.lostFrom + " and was lost (" + t.lostWhy + ")"
                : "is no longer held (" + (t.lostWhy != null ? t.lostWhy : "it was released") + ")";
        return RemoteError.of(LOST_DATA, "the scattered value of " + t.key() + " " + how
                + "; scattered data has no lineage to recompute it from: scatter it again", t.key());
    }

    private void record(TaskRecord t, TaskState from, TaskState to) {
        log.add(new Transition(t.key(), from, to, stimulus, now));
    }

    // ---- placement

    private void markReady(TaskRecord t) {
        ready.add(t);
        placementDirty = true;
    }

    private void place() {
        if (!placementDirty || workers.isEmpty()) {
            return;
        }
        placementDirty = false;
        Iterator<TaskRecord> it = ready.iterator();
        while (it.hasNext()) {
            TaskRecord t = it.next();
            WorkerRecord w = Placement.bestWorker(t, workers.values(), limits);
            if (w != null) {
                it.remove();
                assign(t, w);
            }
        }
    }

    private void assign(TaskRecord t, WorkerRecord w) {
        transition(t, TaskState.PROCESSING);
        t.processingOn = w;
        t.expectedMicros = groupDurationMicros.getOrDefault(t.group, limits.defaultDurationMicros());
        w.processing.add(t);
        w.occupancyMicros += t.expectedMicros;
        w.acquire(t.spec.resources());
        Map<String, List<WorkerAddress>> deps = new HashMap<>();
        for (TaskRecord d : t.dependencies) {
            deps.put(d.key(), addresses(d));
        }
        out.execute(w.id(), new ExecuteTask(t.key(), t.spec.function(), t.spec.args(), deps, t.spec.priority()));
    }

    private void unassign(TaskRecord t, boolean tellWorker) {
        WorkerRecord w = t.processingOn;
        w.processing.remove(t);
        w.occupancyMicros = Math.max(0, w.occupancyMicros - t.expectedMicros);
        w.releaseResources(t.spec.resources());
        t.processingOn = null;
        if (tellWorker) {
            out.free(w.id(), t.key());
        }
        placementDirty = true;
    }

    // ---- read-only views (for the adapters, the dashboard and tests)

    private static List<WorkerAddress> addresses(TaskRecord t) {
        List<WorkerAddress> list = new ArrayList<>(t.whoHas.size());
        t.whoHas.forEach(w -> list.add(w.info.address()));
        return list;
    }

    private static KeyFinished keyFinished(TaskRecord t) {
        return new KeyFinished(t.key(), addresses(t), t.type == null ? "" : t.type, t.nbytes);
    }

    /** Holders of each key that is in memory; other keys are absent. */
    public Map<String, List<WorkerAddress>> holders(List<String> keys) {
        Map<String, List<WorkerAddress>> result = new HashMap<>();
        for (String key : keys) {
            TaskRecord t = tasks.get(key);
            if (t != null && t.state == TaskState.MEMORY) {
                result.put(key, addresses(t));
            }
        }
        return result;
    }

    public Optional<TaskState> stateOf(String key) {
        return Optional.ofNullable(tasks.get(key)).map(t -> t.state);
    }

    /** Recent transitions of {@code key}, oldest first (at most {@code limit}). */
    public List<Transition> story(String key, int limit) {
        return log.story(key, limit);
    }

    public List<WorkerInfo> workers() {
        return workers.values().stream().map(w -> w.info).toList();
    }

    public boolean hasWorker(String workerId) {
        return workers.containsKey(workerId);
    }

    public Map<TaskState, Integer> countsByState() {
        Map<TaskState, Integer> counts = new EnumMap<>(TaskState.class);
        tasks.values().forEach(t -> counts.merge(t.state, 1, Integer::sum));
        return counts;
    }

    public int taskCount() {
        return tasks.size();
    }

    public int clientCount() {
        return clients.size();
    }

    public long finishedCount() {
        return finishedCount;
    }

    public long erredCount() {
        return erredCount;
    }

    /** Processing tasks per worker id. */
    public Map<String, Integer> processingByWorker() {
        Map<String, Integer> m = new LinkedHashMap<>();
        workers.forEach((id, w) -> m.put(id, w.processing.size()));
        return m;
    }

    /** Checks the state's invariants; throws naming the first broken one. Meant for tests. */
    public void checkInvariants() {
        new StateInvariants(this, tasks, workers, clients, ready).check();
    }
}
