package io.partita.worker.state;

import java.util.EnumSet;
import java.util.Set;

/** States of a task on a worker; each names the states it may be entered from (the one transition table). */
public enum TaskState {
    /** Waiting for dependencies held by other workers. */
    FETCHING,
    /** All inputs local, queued by priority for a thread. */
    READY,
    /** Running on the pool. */
    EXECUTING,
    /** Freed while running: its result is dropped when it ends, unless it is assigned here again (then it resumes). */
    CANCELLED,
    /** Terminal: result stored and reported. */
    DONE,
    /** Terminal: failure reported. */
    ERRED,
    /** Terminal: a dependency could not be fetched; reported as FetchFailed. */
    DROPPED,
    /** Terminal: released by the scheduler before it finished. */
    FREED;

    /** Legal previous states (null = a new task). */
    Set<TaskState> from() {
        return switch (this) {
            case FETCHING -> EnumSet.noneOf(TaskState.class);
            case READY -> EnumSet.of(FETCHING);
            case EXECUTING -> EnumSet.of(READY, CANCELLED);
            case CANCELLED -> EnumSet.of(EXECUTING);
            case DONE, ERRED -> EnumSet.of(EXECUTING);
            case DROPPED -> EnumSet.of(FETCHING);
            case FREED -> EnumSet.of(FETCHING, READY, CANCELLED);
        };
    }

    /** States a new task may start in. */
    boolean initial() {
        return this == FETCHING || this == READY;
    }

    boolean terminal() {
        return this == DONE || this == ERRED || this == DROPPED || this == FREED;
    }

    static void check(String key, TaskState from, TaskState to, Object history) {
        boolean ok = from == null ? to.initial() : to.from().contains(from);
        if (!ok) {
            throw new IllegalStateException("illegal transition of task " + key + ": " + from + " -> " + to
                    + "; history: " + history);
        }
    }
}
