package io.partita.scheduler.state;

import java.util.Collection;

/** Where a ready task should run: the worker where it can start soonest. */
final class Placement {
    private Placement() {}

    /**
     * The worker, among those the task's restrictions and resources allow, with the least queued work per thread
     * plus time to move the inputs it lacks; null when none can take it now.
     */
    static WorkerRecord bestWorker(TaskRecord t, Collection<WorkerRecord> workers, SchedulerLimits limits) {
        WorkerRecord best = null;
        double bestCost = Double.POSITIVE_INFINITY;
        for (WorkerRecord w : workers) {
            if (!w.matches(t.spec.workers()) || !w.hasResourcesFor(t.spec.resources())) {
                continue;
            }
            long missing = 0;
            for (TaskRecord d : t.dependencies) {
                if (!d.whoHas.contains(w)) {
                    missing += d.nbytes;
                }
            }
            double cost = w.occupancyMicros / 1e6 / w.info.nthreads() + missing / limits.transferBytesPerSecond();
            if (cost < bestCost) {
                bestCost = cost;
                best = w;
            }
        }
        return best;
    }
}
