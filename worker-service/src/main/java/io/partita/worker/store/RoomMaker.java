package io.partita.worker.store;

import io.partita.worker.memory.MemoryPolicy;
import java.util.List;
import java.util.Locale;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** An object store's synchronous make-room before writes (see {@link ObjectStore} and {@link ObjectStore#limitMemory}). */
final class RoomMaker {
    /** The store's logger, so that these messages keep the category they are configured under. */
    private static final Logger LOG = LoggerFactory.getLogger(ObjectStore.class);

    /** What a decision counts, read together under the store's lock. */
    record Counted(long segments, long reserved, List<MemoryPolicy.Candidate> candidates) {}

    private final ObjectStore store;
    /** Serializes make-room decisions, so that two writers do not both count the same free memory. */
    private final Object roomLock = new Object();
    private volatile MemoryPolicy policy;
    private volatile LongSupplier residentBytes;

    RoomMaker(ObjectStore store) {
        this.store = store;
    }

    void limit(MemoryPolicy policy, LongSupplier residentBytes) {
        this.residentBytes = residentBytes;
        this.policy = policy;
    }

    /**
     * Before storing {@code incoming} more bytes under {@code key}: spills least recently used unpinned keys until
     * process memory (resident, read once, + segments + writes in progress) plus {@code incoming} is under the
     * policy's target, or nothing is left to spill. Reserves {@code incoming} (returned; the store unreserves it once
     * stored or failed); 0 when no memory limit is set.
     */
    long makeRoom(String key, long incoming) {
        MemoryPolicy p = policy;
        LongSupplier resident = residentBytes;
        if (p == null || resident == null || p.limit() == 0 || incoming <= 0) {
            return 0;
        }
        synchronized (roomLock) {
            long rss = resident.getAsLong();
            Counted counted = store.countForRoom();
            long segments = counted.segments();
            long reserved = counted.reserved();
            List<MemoryPolicy.Candidate> candidates = counted.candidates();
            long process = rss + segments + reserved;
            List<String> keys = p.makeRoom(incoming, process, candidates);
            if (!keys.isEmpty() && store.spareBytes() > 0) { // spare segment files go before any key is spilled
                process -= store.dropSpares();
                keys = p.makeRoom(incoming, process, candidates);
            }
            long freed = 0;
            for (String k : keys) {
                freed += store.spill(k);
            }
            store.reserve(incoming);
            if (LOG.isDebugEnabled()) {
                LOG.debug("make room for {} ({} MiB): private resident {} MiB + segments {} MiB + in progress {} MiB "
                                + "= {} MiB, target {} MiB; spilled {} of {} candidates ({} MiB)", key, mib(incoming),
                        mib(rss), mib(segments), mib(reserved), mib(process), mib(p.bytesOf(p.target())), keys.size(),
                        candidates.size(), mib(freed));
            }
            return incoming;
        }
    }

    /**
     * Whether {@code bytes} more (a spare segment file) keep process memory under the policy's target (spill
     * fraction when the target is off); always when no limit is set.
     */
    boolean mayHold(long bytes) {
        MemoryPolicy p = policy;
        LongSupplier resident = residentBytes;
        if (p == null || resident == null || p.limit() == 0) {
            return true;
        }
        double fraction = p.target() > 0 ? p.target() : p.spill();
        if (fraction == 0) {
            return true;
        }
        synchronized (roomLock) {
            Counted counted = store.countForRoom();
            return resident.getAsLong() + counted.segments() + counted.reserved() + bytes <= p.bytesOf(fraction);
        }
    }

    private static String mib(long bytes) {
        return String.format(Locale.ROOT, "%.1f", bytes / 1048576.0);
    }
}
