package io.partita.scheduler.state;

import io.partita.common.protocol.ClientUpdate.KeyFinished;
import io.partita.common.protocol.WorkerAddress;
import io.partita.common.task.FunctionSpec;
import io.partita.common.task.Keys;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The scheduler state's data, shared by the package-private parts of {@link SchedulerState} so they need no references
 * to each other: the maps, the outbox, the log, and the one guarded way to move a task ({@link #transition}).
 */
final class StateContext {
    private static final Comparator<TaskRecord> READY_ORDER =
            Comparator.comparingInt((TaskRecord t) -> -t.spec.priority()).thenComparingLong(t -> t.seq);

    final String schedulerId;
    final SchedulerLimits limits;
    final Map<String, TaskRecord> tasks = new HashMap<>();
    final Map<String, WorkerRecord> workers = new LinkedHashMap<>();
    final Map<String, Map<String, Integer>> clients = new HashMap<>();
    final Map<String, FunctionSpec> functions = new HashMap<>();
    final Map<String, Integer> functionRefs = new HashMap<>();
    final Map<String, Double> groupDurationMicros = new HashMap<>();
    /** The processing tasks of each group, for {@link Placement#reestimate}; a group without any is absent. */
    final Map<String, ProcessingGroup> processingGroups = new HashMap<>();

    /** A group's processing tasks, and the expected run time last given to all of them. */
    static final class ProcessingGroup {
        final Set<TaskRecord> tasks = new java.util.HashSet<>();
        double appliedMicros;

        ProcessingGroup(double appliedMicros) {
            this.appliedMicros = appliedMicros;
        }
    }
    /** WAITING tasks whose dependencies are all in memory, not yet placed (no worker, or restrictions). */
    final TreeSet<TaskRecord> ready = new TreeSet<>(READY_ORDER);
    /** Tasks whose need may have dropped; settled at the end of each event. */
    final Set<TaskRecord> releaseCandidates = new LinkedHashSet<>();
    /** Processing tasks with a steal request out (each has {@link TaskRecord#stealingTo}). */
    final Set<TaskRecord> steals = new LinkedHashSet<>();
    final TransitionLog log = new TransitionLog(100_000);
    final Outbox out = new Outbox(() -> this.stimulus);
    /** Told every transition as it happens (the dashboard); null when nobody listens. */
    java.util.function.Consumer<Transition> listener;
    boolean placementDirty;
    /** Task groups and result types (low cardinality, repeated by many tasks), bounded by {@link #MAX_SHARED_STRINGS}. */
    private final Map<String, String> sharedStrings = new HashMap<>();
    private static final int MAX_SHARED_STRINGS = 100_000;
    /** Bytes per second between hosts: the assumed figure until the workers have measured theirs. */
    double bandwidth;
    /** While a scheduler that took over waits for the workers to report what they hold: nothing is placed. */
    boolean recovering;
    String stimulus = "init";
    long now;
    long seq;
    long finishedCount;
    long erredCount;
    long stolenCount;
    long recoveredCount;
    /** Tasks in each state (FORGOTTEN: none), kept by {@link #record} so that counting them costs nothing. */
    final int[] countByState = new int[TaskState.values().length];

    StateContext(String schedulerId, SchedulerLimits limits) {
        this.schedulerId = schedulerId;
        this.limits = limits;
        this.bandwidth = limits.transferBytesPerSecond();
    }

    /** Moves {@code t} to {@code to} if the table in {@link TaskState} allows it, keeping dependencies' waiter counts. */
    void transition(TaskRecord t, TaskState to) {
        TaskState from = t.state;
        if (!from.canMoveTo(to, t.scattered)) {
            throw new IllegalTransitionException(t.key(), from, to, stimulus, log.story(t.key(), 20));
        }
        boolean wasActive = from == TaskState.WAITING || from == TaskState.PROCESSING;
        boolean isActive = to == TaskState.WAITING || to == TaskState.PROCESSING;
        if (wasActive != isActive) {
            for (TaskRecord d : t.dependencies) {
                d.waiters += isActive ? 1 : -1;
                if (!isActive) {
                    releaseCandidates.add(d); // one waiter fewer: it may no longer be needed
                }
            }
        }
        t.state = to;
        record(t, from, to);
    }

    void record(TaskRecord t, TaskState from, TaskState to) {
        if (from != TaskState.FORGOTTEN) {
            countByState[from.ordinal()]--;
        }
        if (to != TaskState.FORGOTTEN) {
            countByState[to.ordinal()]++;
        }
        Transition transition = new Transition(t.key(), from, to, stimulus, now);
        log.add(transition);
        if (listener != null) {
            listener.accept(transition);
        }
    }

    /** Creates and registers a task (or scattered key) in RELEASED, as if it came from FORGOTTEN. */
    /** The one String equal to {@code s} among those this state keeps: for the few values many tasks repeat. */
    String shared(String s) {
        if (s == null) {
            return null;
        }
        String known = sharedStrings.get(s);
        if (known != null) {
            return known;
        }
        if (sharedStrings.size() < MAX_SHARED_STRINGS) {
            sharedStrings.put(s, s);
        }
        return s;
    }

    String groupOf(String key) {
        return shared(Keys.group(key));
    }

    void add(TaskRecord t) {
        tasks.put(t.key(), t);
        record(t, TaskState.FORGOTTEN, TaskState.RELEASED);
    }

    void addHolder(TaskRecord t, WorkerRecord w) {
        t.whoHas.add(w);
        w.hasWhat.add(t);
    }

    static List<WorkerAddress> addresses(TaskRecord t) {
        List<WorkerAddress> list = new ArrayList<>(t.whoHas.size());
        t.whoHas.forEach(w -> list.add(w.info.address()));
        return list;
    }

    static KeyFinished keyFinished(TaskRecord t) {
        return new KeyFinished(t.key(), addresses(t), t.type == null ? "" : t.type, t.nbytes);
    }
}
