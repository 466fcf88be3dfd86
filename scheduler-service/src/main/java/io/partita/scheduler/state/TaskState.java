package io.partita.scheduler.state;

import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/** A task's state on the scheduler, Dask-like. FORGOTTEN is only ever a transition's target: the task is dropped. */
public enum TaskState {
    /** Spec known, nothing running, no result: kept for lineage or for a client reference. */
    RELEASED,
    /** Needed; waiting for dependencies, or ready and waiting for a worker. */
    WAITING,
    /** Sent to a worker. */
    PROCESSING,
    /** Result held by one or more workers. */
    MEMORY,
    /** Failed, or a dependency failed. */
    ERRED,
    FORGOTTEN;

    /** The one table of legal moves. */
    private static final Map<TaskState, Set<TaskState>> LEGAL = new EnumMap<>(TaskState.class);

    static {
        // RELEASED/WAITING -> MEMORY: a result found on a worker that re-registered (after a scheduler failover)
        LEGAL.put(RELEASED, EnumSet.of(WAITING, ERRED, FORGOTTEN, MEMORY));
        LEGAL.put(WAITING, EnumSet.of(PROCESSING, RELEASED, ERRED, MEMORY));
        LEGAL.put(PROCESSING, EnumSet.of(MEMORY, ERRED, RELEASED, WAITING));
        LEGAL.put(MEMORY, EnumSet.of(RELEASED));
        LEGAL.put(ERRED, EnumSet.of(RELEASED));
        LEGAL.put(FORGOTTEN, EnumSet.noneOf(TaskState.class));
    }

    public boolean canMoveTo(TaskState next) {
        return LEGAL.get(this).contains(next);
    }

    /**
     * The moves of scattered data (a value a client put on a worker: no function, no lineage). It is registered
     * straight into MEMORY, and once lost or released it cannot be computed again, so it never waits nor runs.
     */
    private static final Map<TaskState, Set<TaskState>> LEGAL_SCATTERED = new EnumMap<>(TaskState.class);

    static {
        LEGAL_SCATTERED.put(RELEASED, EnumSet.of(MEMORY, ERRED, FORGOTTEN));
        LEGAL_SCATTERED.put(WAITING, EnumSet.noneOf(TaskState.class));
        LEGAL_SCATTERED.put(PROCESSING, EnumSet.noneOf(TaskState.class));
        LEGAL_SCATTERED.put(MEMORY, EnumSet.of(RELEASED));
        LEGAL_SCATTERED.put(ERRED, EnumSet.of(RELEASED));
        LEGAL_SCATTERED.put(FORGOTTEN, EnumSet.noneOf(TaskState.class));
    }

    /** {@link #canMoveTo} for a task, or for scattered data when {@code scattered}. */
    public boolean canMoveTo(TaskState next, boolean scattered) {
        return (scattered ? LEGAL_SCATTERED : LEGAL).get(this).contains(next);
    }
}
