package io.partita.client;

import io.partita.common.protocol.ClientRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Batches the releases of keys (futures released or collected) into one ReleaseKeys, sent {@link #FLUSH_MILLIS}
 * after the first release of a batch. Nothing is released or sent once the client is closed: closing the session
 * drops all its references anyway.
 */
final class ReleaseBatcher {
    static final long FLUSH_MILLIS = 5;

    private final Connection connection;
    private final KeyTable keys;
    private final ScheduledExecutorService timer;

    private final Object lock = new Object();
    private List<String> releases = new ArrayList<>();
    private boolean scheduled;

    ReleaseBatcher(Connection connection, KeyTable keys, ScheduledExecutorService timer) {
        this.connection = connection;
        this.keys = keys;
        this.timer = timer;
    }

    void release(String key) {
        if (connection.isClosed()) {
            return;
        }
        keys.release(key);
        synchronized (lock) {
            releases.add(key);
            if (!scheduled) {
                scheduled = true;
                try {
                    timer.schedule(this::flush, FLUSH_MILLIS, TimeUnit.MILLISECONDS);
                } catch (java.util.concurrent.RejectedExecutionException e) {
                    scheduled = false;
                }
            }
        }
    }

    /** Sends the releases gathered so far as one ReleaseKeys. */
    void flush() {
        List<String> batch;
        synchronized (lock) {
            batch = releases;
            releases = new ArrayList<>();
            scheduled = false;
        }
        if (!batch.isEmpty() && !connection.isClosed()) {
            connection.send(new ClientRequest.ReleaseKeys(batch));
        }
    }
}
