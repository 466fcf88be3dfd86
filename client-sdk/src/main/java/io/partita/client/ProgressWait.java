package io.partita.client;

import io.partita.client.progress.ProgressOutput;
import io.partita.client.progress.TaskProgress;
import java.lang.ref.Reference;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/** Waits for futures to end while a {@link TaskProgress} bar counts them (see {@link Client#progress}). */
final class ProgressWait {
    private ProgressWait() {}

    static void await(Collection<? extends TaskFuture<?>> futures, ProgressOutput output) {
        Map<String, KeyState> states = new LinkedHashMap<>();
        futures.forEach(f -> states.putIfAbsent(f.key(), f.keyState()));
        CountDownLatch all = new CountDownLatch(states.size());
        try (TaskProgress bar = TaskProgress.start("tasks", states.size(), output)) {
            for (KeyState s : states.values()) {
                s.done.whenComplete((v, e) -> {
                    bar.ended(s.status() == TaskStatus.FINISHED);
                    all.countDown();
                });
            }
            all.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PartitaException("interrupted while waiting for " + all.getCount() + " of " + states.size()
                    + " tasks", e);
        } finally {
            Reference.reachabilityFence(futures); // a collected future would release its key
        }
    }
}
