package io.partita.scheduler.state;

/**
 * Limits and tunables of the scheduler, most of them the state machine's.
 *
 * @param maxGraphTasks           tasks one submitted graph may hold
 * @param allowedFailures         workers that may die while running a task before it errs (Dask's allowed-failures)
 * @param transferBytesPerSecond  bandwidth between hosts assumed until the workers have measured it
 * @param defaultDurationMicros   expected run time of a task whose group has never finished a task
 * @param workStealing            whether less loaded workers take queued tasks from more loaded ones ({@link Stealing})
 * @param maxClients              clients connected at once; one more is refused (its connection closed with the reason)
 * @param maxPendingGraphs        graphs of one client accepted but not yet answered (being stored for a standby); a
 *                                client past it is answered RequestFailed for the next one until the store catches up
 */
public record SchedulerLimits(int maxGraphTasks, int allowedFailures, double transferBytesPerSecond,
                              double defaultDurationMicros, boolean workStealing, int maxClients, int maxPendingGraphs) {
    public static SchedulerLimits defaults() {
        return new SchedulerLimits(2_000_000, 3, 100e6, 1_000, true, 1_000, 1_000);
    }

    public SchedulerLimits withMaxGraphTasks(int max) {
        return new SchedulerLimits(max, allowedFailures, transferBytesPerSecond, defaultDurationMicros, workStealing,
                maxClients, maxPendingGraphs);
    }

    public SchedulerLimits withAllowedFailures(int failures) {
        return new SchedulerLimits(maxGraphTasks, failures, transferBytesPerSecond, defaultDurationMicros, workStealing,
                maxClients, maxPendingGraphs);
    }

    public SchedulerLimits withWorkStealing(boolean on) {
        return new SchedulerLimits(maxGraphTasks, allowedFailures, transferBytesPerSecond, defaultDurationMicros, on,
                maxClients, maxPendingGraphs);
    }

    public SchedulerLimits withMaxClients(int max) {
        return new SchedulerLimits(maxGraphTasks, allowedFailures, transferBytesPerSecond, defaultDurationMicros, workStealing,
                max, maxPendingGraphs);
    }

    public SchedulerLimits withMaxPendingGraphs(int max) {
        return new SchedulerLimits(maxGraphTasks, allowedFailures, transferBytesPerSecond, defaultDurationMicros, workStealing,
                maxClients, max);
    }
}
