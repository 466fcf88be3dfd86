package io.partita.scheduler.state;

import io.partita.common.protocol.ClientUpdate;
import io.partita.common.protocol.ClientUpdate.KeyErred;
import io.partita.common.protocol.ClientUpdate.KeyFinished;
import io.partita.common.protocol.WorkerAddress;
import io.partita.common.protocol.WorkerCommand;
import io.partita.common.protocol.WorkerInfo;
import io.partita.common.protocol.WorkerReport.HeldKey;
import io.partita.common.protocol.WorkerReport.TaskDone;
import io.partita.common.protocol.WorkerReport.TaskFailed;
import io.partita.scheduler.state.Event.CancelRequested;
import io.partita.scheduler.state.Event.ClientConnected;
import io.partita.scheduler.state.Event.ClientDisconnected;
import io.partita.scheduler.state.Event.ClientResumed;
import io.partita.scheduler.state.Event.DataScattered;
import io.partita.scheduler.state.Event.FetchFailed;
import io.partita.scheduler.state.Event.GraphSubmitted;
import io.partita.scheduler.state.Event.KeysAcquired;
import io.partita.scheduler.state.Event.KeysReleased;
import io.partita.scheduler.state.Event.RecoveryFinished;
import io.partita.scheduler.state.Event.RecoveryStarted;
import io.partita.scheduler.state.Event.RetireRequested;
import io.partita.scheduler.state.Event.StealAnswered;
import io.partita.scheduler.state.Event.TasksFailed;
import io.partita.scheduler.state.Event.TasksFinished;
import io.partita.scheduler.state.Event.Tick;
import io.partita.scheduler.state.Event.WhoHasAsked;
import io.partita.scheduler.state.Event.WorkerJoined;
import io.partita.scheduler.state.Event.WorkerLeft;
import io.partita.scheduler.state.Event.WorkerRetiring;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The scheduler's task state, Dask-like, free of I/O: {@link #handle} is the only way to change it; it returns the
 * messages to send. Not thread-safe: one event loop owns it.
 *
 * <p>This class dispatches events and handles graphs and task results; the other moves live in package-private
 * parts that share one {@link StateContext}: {@link Placement}, {@link Cascades}, {@link Releases}, {@link Scatter}
 * and {@link WorkerLoss}.
 */
public final class SchedulerState {
    public static final String KILLED_WORKER = "io.partita.KilledWorker";
    /** The error type of scattered data (and its dependents) whose only copy was lost: it cannot be recomputed. */
    public static final String LOST_DATA = "io.partita.LostData";

    private final GraphValidator validator;
    private final StateContext ctx;
    private final Placement placement;
    private final Cascades cascades;
    private final Releases releases;
    private final Scatter scatter;
    private final WorkerLoss workerLoss;
    private final Stealing stealing;
    private final Retirement retirement;
    private final AcceptedGraphs accepted;
    private final GraphIntake intake;

    public SchedulerState(String schedulerId, SchedulerLimits limits, ArtifactCatalog artifacts) {
        this.validator = new GraphValidator(limits, artifacts);
        this.ctx = new StateContext(schedulerId, limits);
        this.placement = new Placement(ctx);
        this.cascades = new Cascades(ctx, placement);
        this.releases = new Releases(ctx, placement);
        this.scatter = new Scatter(ctx);
        this.workerLoss = new WorkerLoss(ctx, placement, cascades);
        this.stealing = new Stealing(ctx, cascades, placement);
        this.retirement = new Retirement(ctx, workerLoss);
        this.accepted = new AcceptedGraphs(ctx);
        this.intake = new GraphIntake(ctx, validator, cascades, accepted);
    }

    public List<Instruction> handle(Event event, long nowMillis) {
        return handle(List.of(event), nowMillis);
    }

    /** Handles {@code events} in order, then places ready tasks once and returns the batched messages. */
    public List<Instruction> handle(List<? extends Event> events, long nowMillis) {
        ctx.now = nowMillis;
        for (Event e : events) {
            ctx.stimulus = e.stimulusId();
            apply(e);
            releases.settleReleases();
        }
        retirement.progress();
        placement.place();
        return ctx.out.drain(w -> ctx.workers.get(w).sentFunctions, ctx.functions::get);
    }

    private void apply(Event event) {
        switch (event) {
            case ClientConnected e -> ctx.clients.computeIfAbsent(e.clientId(), c -> new HashMap<>());
            case ClientDisconnected e -> {
                accepted.clientGone(e.clientId());
                releases.onClientDisconnected(e);
            }
            case GraphSubmitted e -> intake.onGraphSubmitted(e);
            case Event.GraphReplayed e -> intake.onGraphReplayed(e);
            case Event.GraphPersisted e -> accepted.persisted(e.clientId(), e.requestId());
            case DataScattered e -> scatter.onDataScattered(e);
            case KeysReleased e -> e.keys().forEach(k -> {
                accepted.released(e.clientId(), k, false);
                releases.dropRef(e.clientId(), k, false);
            });
            case CancelRequested e -> {
                e.keys().forEach(k -> accepted.released(e.clientId(), k, true));
                releases.onCancel(e);
            }
            case WhoHasAsked e ->
                    ctx.out.toClient(e.clientId(), new ClientUpdate.WhoHasReply(e.requestId(), holders(e.keys())));
            case WorkerJoined e -> onWorkerJoined(e.info(), e.heldKeys());
            case WorkerLeft e -> workerLoss.onWorkerLeft(e.workerId());
            case Event.TasksStarted e -> onTasksStarted(e.workerId(), e.keys());
            case TasksFinished e -> onTasksFinished(e.workerId(), e.tasks());
            case TasksFailed e -> onTasksFailed(e.workerId(), e.tasks());
            case FetchFailed e -> workerLoss.onFetchFailed(e);
            case Tick e -> stealing.balance();
            case Event.BandwidthMeasured e -> ctx.bandwidth = e.bytesPerSecond();
            case RecoveryStarted e -> ctx.recovering = true;
            case RecoveryFinished e -> {
                ctx.recovering = false;
                ctx.placementDirty = true;
            }
            case ClientResumed e -> onClientResumed(e.clientId());
            case StealAnswered e -> stealing.onAnswered(e);
            case RetireRequested e -> retirement.onRequested(e);
            case WorkerRetiring e -> retirement.onWorkerRetiring(e);
            case KeysAcquired e -> retirement.onKeysAcquired(e);
        }
    }

    private void onWorkerJoined(WorkerInfo info, List<HeldKey> heldKeys) {
        if (ctx.workers.containsKey(info.workerId())) {
            workerLoss.onWorkerLeft(info.workerId()); // a reconnect we noticed before the disconnect
        }
        WorkerRecord w = new WorkerRecord(info);
        ctx.workers.put(info.workerId(), w);
        ctx.out.toWorker(w.id(), new WorkerCommand.Registered(ctx.schedulerId));
        for (HeldKey held : heldKeys) {
            TaskRecord t = ctx.tasks.get(held.key());
            if (t != null && t.state == TaskState.MEMORY) {
                ctx.addHolder(t, w);
            } else if (t != null && !t.scattered && t.needed()
                    && (t.state == TaskState.WAITING || t.state == TaskState.RELEASED)) {
                inMemory(t, w, held.nbytes(), held.type()); // computed before a failover: found, not recomputed
                ctx.recoveredCount++;
            } else {
                ctx.out.free(w.id(), held.key());
            }
        }
        ctx.placementDirty = true;
    }

    /** A client of the previous active scheduler reconnected: it learns where each of its keys stands. */
    private void onClientResumed(String clientId) {
        Map<String, Integer> refs = ctx.clients.computeIfAbsent(clientId, c -> new HashMap<>());
        for (String key : refs.keySet()) {
            TaskRecord t = ctx.tasks.get(key);
            if (t.state == TaskState.MEMORY) {
                ctx.out.finished(clientId, StateContext.keyFinished(t));
            } else if (t.state == TaskState.ERRED) {
                ctx.out.erred(clientId, new KeyErred(key, t.error));
            }
        }
    }

    /** These tasks run now on {@code workerId}: were it to die, they would count towards KilledWorker. */
    private void onTasksStarted(String workerId, List<String> keys) {
        WorkerRecord w = ctx.workers.get(workerId);
        for (String key : keys) {
            TaskRecord t = ctx.tasks.get(key);
            if (w != null && t != null && t.state == TaskState.PROCESSING && t.processingOn == w && !t.running) {
                t.running = true;
                t.startedMillis = ctx.now;
                w.running.add(t);
            }
        }
    }

    private void onTasksFinished(String workerId, List<TaskDone> dones) {
        WorkerRecord w = ctx.workers.get(workerId);
        if (w == null) {
            return;
        }
        for (TaskDone done : dones) {
            TaskRecord t = ctx.tasks.get(done.key());
            if (t == null || t.state != TaskState.PROCESSING || t.processingOn != w) {
                if (t != null && t.state == TaskState.MEMORY) {
                    ctx.addHolder(t, w); // a late duplicate: one more replica
                } else if (t != null && t.state == TaskState.WAITING && !t.scattered) {
                    inMemory(t, w, done.nbytes(), done.type()); // it ran across a scheduler failover
                    ctx.finishedCount++;
                } else {
                    ctx.out.free(w.id(), done.key()); // nobody wants it any more
                }
                continue;
            }
            placement.unassign(t, false);
            placement.reestimate(t.group, ctx.groupDurationMicros.merge(t.group, (double) done.durationMicros(),
                    (old, d) -> 0.5 * old + 0.5 * d));
            inMemory(t, w, done.nbytes(), done.type());
            ctx.finishedCount++;
        }
    }

    /** {@code t}'s result is on {@code w}: clients hear of it, dependents may run, inputs may be released. */
    private void inMemory(TaskRecord t, WorkerRecord w, long nbytes, String type) {
        ctx.ready.remove(t);
        t.waitingOn.clear();
        ctx.transition(t, TaskState.MEMORY);
        t.nbytes = nbytes;
        t.type = ctx.shared(type);
        ctx.addHolder(t, w);
        KeyFinished finished = StateContext.keyFinished(t);
        t.clientRefs.keySet().forEach(c -> ctx.out.finished(c, finished));
        for (TaskRecord d : t.dependents) {
            if (d.state == TaskState.WAITING && d.waitingOn.remove(t) && d.waitingOn.isEmpty()) {
                placement.markReady(d);
            }
        }
        ctx.releaseCandidates.addAll(t.dependencies);
        ctx.releaseCandidates.add(t);
    }

    private void onTasksFailed(String workerId, List<TaskFailed> failures) {
        WorkerRecord w = ctx.workers.get(workerId);
        if (w == null) {
            return;
        }
        for (TaskFailed f : failures) {
            TaskRecord t = ctx.tasks.get(f.key());
            if (t == null || t.state != TaskState.PROCESSING || t.processingOn != w) {
                continue;
            }
            placement.unassign(t, false);
            if (f.runElsewhere()) {
                if (t.cannotRunOn == null) {
                    t.cannotRunOn = new java.util.HashSet<>(2);
                }
                t.cannotRunOn.add(w);
                if (ctx.workers.values().stream().anyMatch(o -> Placement.mayRunOn(t, o) && o.canEverRun(t.spec.resources()))) {
                    cascades.toWaiting(t); // does not use up a retry: the task never ran
                } else {
                    cascades.err(t, f.error()); // every worker tried: a retry would wait for a worker that may never come
                }
                continue;
            }
            if (t.retriesLeft > 0) {
                t.retriesLeft--;
                cascades.toWaiting(t);
            } else {
                cascades.err(t, f.error());
            }
        }
    }

    // ---- read-only views (for the adapters, the dashboard and tests)

    /**
     * Tells {@code listener} every transition from now on, on the thread that calls {@link #handle}, while it runs
     * (so the listener must be quick and must not call {@link #handle}). A task's creation is FORGOTTEN to RELEASED.
     */
    public void onTransition(java.util.function.Consumer<Transition> listener) {
        ctx.listener = listener;
    }

    /** The distinct keys {@code key} depends on, in argument order; empty for a key not known. */
    public List<String> dependencies(String key) {
        TaskRecord t = ctx.tasks.get(key);
        return t == null ? List.of() : List.copyOf(new LinkedHashSet<>(t.spec.dependencies()));
    }

    /** Holders of each key that is in memory; other keys are absent. */
    public Map<String, List<WorkerAddress>> holders(List<String> keys) {
        Map<String, List<WorkerAddress>> result = new HashMap<>();
        for (String key : keys) {
            TaskRecord t = ctx.tasks.get(key);
            if (t != null && t.state == TaskState.MEMORY) {
                result.put(key, StateContext.addresses(t));
            }
        }
        return result;
    }

    public Optional<TaskState> stateOf(String key) {
        return Optional.ofNullable(ctx.tasks.get(key)).map(t -> t.state);
    }

    /** Recent transitions of {@code key}, oldest first (at most {@code limit}). */
    public List<Transition> story(String key, int limit) {
        return ctx.log.story(key, limit);
    }

    /** The jars that the functions of live tasks need: not to be evicted from the artifact store. */
    public java.util.Set<String> artifactsInUse() {
        java.util.Set<String> inUse = new java.util.HashSet<>();
        ctx.functions.values().forEach(f -> inUse.addAll(f.artifacts()));
        return inUse;
    }

    public List<WorkerInfo> workers() {
        return ctx.workers.values().stream().map(w -> w.info).toList();
    }

    public boolean hasWorker(String workerId) {
        return ctx.workers.containsKey(workerId);
    }

    /** Tasks in each state that has any (kept as tasks move: no scan). */
    public Map<TaskState, Integer> countsByState() {
        Map<TaskState, Integer> counts = new EnumMap<>(TaskState.class);
        for (TaskState s : TaskState.values()) {
            if (ctx.countByState[s.ordinal()] > 0) {
                counts.put(s, ctx.countByState[s.ordinal()]);
            }
        }
        return counts;
    }

    public int taskCount() {
        return ctx.tasks.size();
    }

    public int clientCount() {
        return ctx.clients.size();
    }

    public long finishedCount() {
        return ctx.finishedCount;
    }

    public long erredCount() {
        return ctx.erredCount;
    }

    /** Results found on workers that re-registered after this scheduler took over (not recomputed). */
    public long recoveredCount() {
        return ctx.recoveredCount;
    }

    /** Whether this state waits for workers to report their keys before placing anything (after a takeover). */
    public boolean recovering() {
        return ctx.recovering;
    }

    /** Tasks moved to another worker by work stealing since start. */
    public long stolenCount() {
        return ctx.stolenCount;
    }

    /** Whether {@code workerId} is being retired (gets no new tasks, hands its keys over). */
    public boolean isRetiring(String workerId) {
        WorkerRecord w = ctx.workers.get(workerId);
        return w != null && w.retiring;
    }

    /** Processing tasks per worker id. */
    public Map<String, Integer> processingByWorker() {
        Map<String, Integer> m = new LinkedHashMap<>();
        ctx.workers.forEach((id, w) -> m.put(id, w.processing.size()));
        return m;
    }

    /** Checks the state's invariants; throws naming the first broken one. Meant for tests. */
    public void checkInvariants() {
        new StateInvariants(this, ctx.tasks, ctx.workers, ctx.clients, ctx.ready, ctx.steals, ctx.processingGroups).check();
        Map<TaskState, Integer> recount = new EnumMap<>(TaskState.class);
        ctx.tasks.values().forEach(t -> recount.merge(t.state, 1, Integer::sum));
        if (!recount.equals(countsByState())) {
            throw new IllegalStateException("task counts by state " + countsByState() + " differ from a recount " + recount);
        }
    }
}
