package io.partita.worker.store;

import io.partita.common.protocol.WorkerLoad.Activity;
import java.io.IOException;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An {@link ObjectStore}'s moves between memory and the spill directory. State changes happen under the store's
 * lock; the copy of a key to disk runs outside it (it can be long), while the entry is marked as being spilled.
 */
final class Spiller {
    /** The store's logger, so that these messages keep the category they are configured under. */
    private static final Logger LOG = LoggerFactory.getLogger(ObjectStore.class);

    private final ObjectStore store;
    private final StoreIndex index;
    private final SpillFiles files;
    private final TransferStats stats;

    /** @param store whose lock guards {@code index} */
    Spiller(ObjectStore store, StoreIndex index, SpillFiles files, TransferStats stats) {
        this.store = store;
        this.index = index;
        this.files = files;
        this.stats = stats;
    }

    /** See {@link ObjectStore#spill}. */
    long spill(String key) {
        StoreEntry e;
        synchronized (store) {
            e = index.get(key);
            if (store.isClosed() || e == null || !index.spillable(e)) {
                return 0;
            }
            e.spilling = true;
        }
        Path target;
        long startMillis = System.currentTimeMillis();
        long t0 = System.nanoTime();
        try { // outside the lock: the file and bytes of an entry being spilled do not change
            target = e.table ? files.writeTable(key, e.file) : files.writeValue(key, e.bytes);
        } catch (IOException | RuntimeException ex) {
            synchronized (store) {
                index.spillEnded(e);
            }
            LOG.warn("cannot spill {} to {} (is the spill directory full? see --spill-dir): {}", key, files.dir(), ex.toString());
            return 0;
        }
        synchronized (store) {
            if (!index.spillEnded(e)) { // removed or replaced while it was being copied
                StoreFiles.deleteQuietly(target);
                return 0;
            }
            index.retier(e, () -> e.spilledTo(target));
            stats.spilled(e.size);
        }
        stats.activity(Activity.SPILL, startMillis, (System.nanoTime() - t0) / 1000, e.size, 1, "");
        return e.size;
    }

    /** Reads the spilled value {@code e} back onto the heap; the caller holds the store's lock. */
    void unspillValue(StoreEntry e) {
        long startMillis = System.currentTimeMillis();
        long t0 = System.nanoTime();
        byte[] bytes = SpillFiles.readValue(e.key, e.file);
        stats.activity(Activity.UNSPILL, startMillis, (System.nanoTime() - t0) / 1000, bytes.length, 1, "");
        index.retier(e, () -> e.readBack(bytes));
        stats.unspilled(bytes.length);
    }
}
