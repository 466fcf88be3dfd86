package io.partita.worker.store;

import io.partita.common.data.MappedSegment;
import io.partita.worker.memory.MemoryPolicy;
import java.nio.file.Path;

/** One key of an {@link ObjectStore}: its tier, bytes or file, cached mapping and spill state; guarded by the store's lock. */
final class StoreEntry {
    final String key;
    final boolean table;
    Tier tier;
    byte[] bytes;
    Path file;
    long size;
    long lastUse;
    MappedSegment mapping;
    boolean spilling;
    boolean discarded;

    StoreEntry(String key, boolean table, Tier tier, long size) {
        this.key = key;
        this.table = table;
        this.tier = tier;
        this.size = size;
    }

    /** Held in memory (the heap or this worker's segment), so a candidate for spilling. */
    boolean inMemory() {
        return tier == Tier.HEAP || tier == Tier.SEGMENT;
    }

    MemoryPolicy.Candidate candidate() {
        return new MemoryPolicy.Candidate(key, size);
    }

    /** Now in its spill file {@code target} (copied there): unmaps and unlinks a table's segment, drops a value's bytes. */
    void spilledTo(Path target) {
        if (table) {
            StoreFiles.closeQuietly(mapping);
            mapping = null;
            StoreFiles.deleteQuietly(file);
        } else {
            bytes = null;
        }
        file = target;
        tier = Tier.SPILLED;
    }

    /** A spilled value read back onto the heap: unlinks its spill file. */
    void readBack(byte[] value) {
        StoreFiles.deleteQuietly(file);
        file = null;
        bytes = value;
        tier = Tier.HEAP;
    }

    /** Drops the heap bytes and hands over the cached mapping (null if none) for the caller to close. */
    MappedSegment release() {
        MappedSegment m = mapping;
        mapping = null;
        bytes = null;
        return m;
    }
}
