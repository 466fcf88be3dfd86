package io.partita.scheduler.state;

import io.partita.common.task.Keys;
import io.partita.common.task.RemoteError;
import io.partita.common.task.TaskSpec;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The scheduler's mutable record of one task. Only {@link SchedulerState} changes it, on its one thread. */
final class TaskRecord {
    final TaskSpec spec;
    final String group;
    final long seq;
    TaskState state = TaskState.RELEASED;
    /** Distinct dependencies, in argument order. */
    final List<TaskRecord> dependencies;
    // Sized for the common case (a few dependents, one holder): a default table is 16 slots per set, per task.
    final Set<TaskRecord> dependents = new LinkedHashSet<>(2);
    /** Dependencies not in memory yet, while WAITING. */
    final Set<TaskRecord> waitingOn = new HashSet<>();
    final Set<WorkerRecord> whoHas = new LinkedHashSet<>(2);
    /** Client id to references held (one per occurrence in a graph's wanted list). */
    final Map<String, Integer> clientRefs = new HashMap<>(2);
    WorkerRecord processingOn;
    /** The worker it is processing on reported that it started running it (WorkerReport.TasksStarted). */
    boolean running;
    /** When it started running ({@link StateContext#now}), while {@link #running}. */
    long startedMillis;
    /** While a steal request for this task is out: the worker it would move to ({@link Stealing}). */
    WorkerRecord stealingTo;
    double expectedMicros;
    int retriesLeft;
    /** Workers that could not start this task (its code could not be fetched there); null until one could not. */
    Set<WorkerRecord> cannotRunOn;
    /** Workers that died while running this task. */
    int suspicious;
    RemoteError error;
    /** A value a client scattered onto a worker: no function, no dependencies, nothing to recompute it from. */
    final boolean scattered;
    /** For scattered data that was lost: the worker that held it last, and why it was lost. */
    String lostFrom;
    String lostWhy;
    long nbytes;
    String type;

    /** @param group the task group of the key ({@link Keys#group}), one String per group (many tasks share it) */
    TaskRecord(TaskSpec spec, String group, List<TaskRecord> dependencies, long seq) {
        this(spec, group, dependencies, seq, false);
    }

    /** The record of scattered data {@code key}: a spec without function nor arguments. */
    static TaskRecord scattered(String key, String group, long seq) {
        return new TaskRecord(TaskSpec.of(key, SCATTERED_FUNCTION, List.of()), group, new java.util.ArrayList<>(), seq, true);
    }

    /** The function id of scattered data's spec: none (no FunctionSpec has an empty id). */
    static final String SCATTERED_FUNCTION = "";

    private TaskRecord(TaskSpec spec, String group, List<TaskRecord> dependencies, long seq, boolean scattered) {
        this.scattered = scattered;
        this.spec = spec;
        this.group = group;
        this.dependencies = dependencies;
        this.seq = seq;
        this.retriesLeft = spec.retries();
    }

    String key() {
        return spec.key();
    }

    boolean wanted() {
        return !clientRefs.isEmpty();
    }

    /** Dependents in WAITING or PROCESSING, kept by {@link SchedulerState}'s transitions (a scan would be quadratic). */
    int waiters;

    /** A dependent that will still run needs this task's result. */
    boolean hasWaiters() {
        return waiters > 0;
    }

    boolean needed() {
        return wanted() || hasWaiters();
    }

    @Override
    public String toString() {
        return key() + "[" + state + "]";
    }
}
