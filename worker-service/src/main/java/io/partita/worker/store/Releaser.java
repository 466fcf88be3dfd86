package io.partita.worker.store;

import io.partita.common.data.MappedSegment;
import java.nio.file.Path;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Unmaps and unlinks released keys on a thread of its own. Both are slow for big tables (tearing down the page
 * table of a 256 MiB mapping, freeing its tmpfs pages: tens of milliseconds) and a key is usually released from the
 * worker's event loop, where that time would delay every report behind it.
 */
final class Releaser implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ObjectStore.class);

    private final ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "partita-store-release");
        t.setDaemon(true);
        return t;
    });

    /** Closes {@code mapping} and deletes {@code file}, either may be null; inline once the releaser is closed. */
    void release(MappedSegment mapping, Path file) {
        if (mapping == null && file == null) {
            return;
        }
        Runnable work = () -> {
            StoreFiles.closeQuietly(mapping);
            if (file != null) {
                StoreFiles.deleteQuietly(file);
            }
        };
        try {
            thread.execute(work);
        } catch (RejectedExecutionException closed) {
            work.run();
        }
    }

    /** Finishes what was released (bounded wait), so that nothing is mapped or left on disk after the store closes. */
    @Override
    public void close() {
        thread.shutdown();
        try {
            if (!thread.awaitTermination(1, TimeUnit.MINUTES)) {
                LOG.warn("releasing stored keys took over a minute; closing the store without waiting for the rest");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
