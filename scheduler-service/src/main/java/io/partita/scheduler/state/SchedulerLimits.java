package io.partita.scheduler.state;

/**
 * Tunables of the state machine.
 *
 * @param maxGraphTasks           tasks one submitted graph may hold
 * @param allowedFailures         workers that may die while running a task before it errs (Dask's allowed-failures)
 * @param transferBytesPerSecond  bandwidth between hosts assumed until the workers have measured it
 * @param defaultDurationMicros   expected run time of a task whose group has never finished a task
 * @param workStealing            whether less loaded workers take queued tasks from more loaded ones ({@link Stealing})
 */
public record SchedulerLimits(int maxGraphTasks, int allowedFailures, double transferBytesPerSecond,
                              double defaultDurationMicros, boolean workStealing) {
    public static SchedulerLimits defaults() {
        return new SchedulerLimits(2_000_000, 3, 100e6, 1_000, true);
    }

    public SchedulerLimits withMaxGraphTasks(int max) {
        return new SchedulerLimits(max, allowedFailures, transferBytesPerSecond, defaultDurationMicros, workStealing);
    }

    public SchedulerLimits withAllowedFailures(int failures) {
        return new SchedulerLimits(maxGraphTasks, failures, transferBytesPerSecond, defaultDurationMicros, workStealing);
    }

    public SchedulerLimits withWorkStealing(boolean on) {
        return new SchedulerLimits(maxGraphTasks, allowedFailures, transferBytesPerSecond, defaultDurationMicros, on);
    }
}
