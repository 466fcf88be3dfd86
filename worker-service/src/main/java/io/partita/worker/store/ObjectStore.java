package io.partita.worker.store;

import io.partita.common.data.MappedSegment;
import io.partita.common.data.Partition;
import io.partita.common.data.SegmentFiles;
import io.partita.common.protocol.WorkerLoad.Activity;
import io.partita.common.protocol.WorkerReport;
import io.partita.worker.memory.MemoryPolicy;
import io.partita.worker.memory.SpillableStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;
import org.apache.arrow.memory.BufferAllocator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where a worker keeps results, in three tiers, with per-key sizes and least-recently-used order:
 *
 * <ul>
 *   <li>heap: serialized values ({@link io.partita.common.codec.ValueCodec} format) as byte arrays;</li>
 *   <li>segments: Arrow tables ({@link Partition}) as IPC stream files in this worker's shared-memory folder
 *       ({@code <shm-dir>/<workerId>/<sha-256 of the key>.arrow}), read by mapping them (zero copy); one mapping per
 *       key is cached while the key is stored;</li>
 *   <li>spilled: either kind moved to a file in the spill directory; read back transparently (a table by mapping
 *       the spill file, a value by reading it back onto the heap).</li>
 * </ul>
 *
 * <p>A key may also be <em>borrowed</em>: a neighbour's segment on this host, mapped read-only for local tasks
 * ({@link #adoptSegment}); it counts in no tier, is never spilled, and removing it only drops the mapping.
 *
 * <p>Memory limit ({@link #limitMemory}): before a new segment or a large heap value is stored, the store makes room
 * synchronously: when process memory plus the incoming bytes would exceed the policy's target fraction, least
 * recently used unpinned keys are spilled first ({@link MemoryPolicy#makeRoom}), so a burst of writes cannot outrun
 * the periodic {@link io.partita.worker.memory.MemoryMonitor} (which stays the safety net).
 *
 * <p>Lifetime: removing a key closes its mapping and unlinks its file (in the background: {@link Releaser}); views
 * already handed out stay valid (the mapping lives until its last view closes). Keys pinned by running tasks ({@link #pin}) are not spilled.
 * Thread-safe: tasks write from the pool, Flight reads from gRPC threads, the memory monitor spills from its own
 * thread (the copy to disk runs outside the lock).
 */
public final class ObjectStore implements SpillableStore, AutoCloseable {
    /** The type reported to the scheduler for a table result. */
    public static final String TABLE_TYPE = Partition.class.getName();
    private static final Logger LOG = LoggerFactory.getLogger(ObjectStore.class);

    private final BufferAllocator allocator;
    private final Path segmentDir;
    private final SpillFiles spillFiles;
    private final TransferStats stats;
    private final Map<String, StoreEntry> entries = new HashMap<>();
    private final Map<String, Integer> pins = new HashMap<>();
    private final RoomMaker room = new RoomMaker(this);
    private final Releaser releaser = new Releaser();
    private final SegmentSpares spares;
    /** Bytes of writes that made room and are not stored yet (counted as process memory by later decisions). */
    private long reservedBytes;
    private long tick;
    private final TierBytes tierBytes = new TierBytes();
    private boolean closed;

    /**
     * @param segmentDir this worker's own shared-memory folder (created when missing)
     * @param spillDir   where spilled keys go (created on the first spill)
     */
    public ObjectStore(BufferAllocator parent, Path segmentDir, Path spillDir, TransferStats stats) {
        this(parent, segmentDir, spillDir, stats, defaultSpareBytes());
    }

    /**
     * @param spareBytes bound on the spare segment files kept with their pages allocated for new segments
     *                   ({@link SegmentSpares}); 0 keeps none
     */
    public ObjectStore(BufferAllocator parent, Path segmentDir, Path spillDir, TransferStats stats, long spareBytes) {
        this.allocator = parent.newChildAllocator("object-store", 0, Long.MAX_VALUE);
        this.segmentDir = segmentDir;
        this.spillFiles = new SpillFiles(spillDir);
        this.stats = stats;
        this.spares = new SegmentSpares(segmentDir, spareBytes, room::mayHold);
    }

    /** System property: bound in bytes on the spare segment files ({@link SegmentSpares}); 0 turns them off. */
    public static final String SPARE_BYTES_PROPERTY = "partita.store.spare-bytes";
    /** Default bound on spare segment files, further capped by the memory limit (see {@link RoomMaker#mayHold}). */
    public static final long DEFAULT_SPARE_BYTES = 512L << 20;

    private static long defaultSpareBytes() {
        return Long.getLong(SPARE_BYTES_PROPERTY, DEFAULT_SPARE_BYTES);
    }

    /** The file name of {@code key}'s segment in any worker's folder: the SHA-256 of the key, in hex, + ".arrow". */
    public static String segmentFileName(String key) {
        return StoreFiles.segmentFileName(key);
    }

    public Path segmentDir() {
        return segmentDir;
    }

    public TransferStats stats() {
        return stats;
    }

    /** Heap values at least this big make room before they are stored; smaller ones are left to the monitor. */
    public static final long MAKE_ROOM_MIN_VALUE_BYTES = 1 << 20;

    /**
     * Makes room synchronously before each write under {@code policy} (see the class comment).
     *
     * @param residentBytes the process's resident memory not counting the segments it maps (read once per write)
     */
    @Override
    public void limitMemory(MemoryPolicy policy, LongSupplier residentBytes) {
        room.limit(policy, residentBytes);
    }

    /** Stores a serialized value on the heap tier (replacing any value of {@code key}). */
    public void put(String key, byte[] value) {
        StoreEntry e = new StoreEntry(key, false, Tier.HEAP, value.length);
        e.bytes = value;
        long reserved = value.length >= MAKE_ROOM_MIN_VALUE_BYTES ? room.makeRoom(key, value.length) : 0;
        try {
            synchronized (this) {
                checkOpen();
                insert(e);
            }
        } finally {
            unreserve(reserved);
        }
    }

    /**
     * Takes ownership of {@code table}: writes it as this worker's segment of {@code key}, closes it (also when the
     * write fails) and returns the segment's size.
     */
    public long putTable(String key, Partition table) {
        try (table) {
            long bytes = table.bufferBytes();
            return storeSegment(key, bytes, file -> SegmentFiles.write(table, newSegmentFile(file, bytes), file));
        }
    }

    /**
     * Copies a neighbour's segment (or spill) file {@code source} as this worker's own segment of {@code key} (a
     * retiring worker's key: it must outlive the neighbour). Returns the size, or -1 when {@code source} is gone.
     */
    public long copySegment(String key, Path source) {
        synchronized (this) {
            StoreEntry held = entries.get(key);
            if (held != null && held.tier != Tier.BORROWED) {
                return held.size;
            }
        }
        long bytes;
        try {
            bytes = Files.size(source);
        } catch (IOException gone) {
            return -1;
        }
        return storeSegment(key, bytes, file -> {
            Path tmp = Files.createTempFile(segmentDir, "." + file.getFileName(), ".tmp");
            try {
                Files.copy(source, tmp, StandardCopyOption.REPLACE_EXISTING);
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } finally {
                Files.deleteIfExists(tmp);
            }
            return Files.size(file);
        });
    }

    /** Writes a segment file in the IPC stream format of {@link SegmentFiles}. */
    public interface SegmentWriter {
        /** Writes the segment to {@code file} (atomically: a reader must never see it half written), returns its size. */
        long write(Path file) throws IOException;
    }

    /**
     * A new empty file beside {@code file} (a segment's path given to a {@link SegmentWriter}) for writing a segment of
     * about {@code bytes} bytes, to be renamed to {@code file}: a spare file whose memory pages exist when one fits
     * ({@link SegmentSpares}), so that the write is only a copy. The caller deletes it when the write fails. The file
     * is empty: write it without truncating it (truncation would free the spare's pages).
     */
    public Path newSegmentFile(Path file, long bytes) throws IOException {
        Files.createDirectories(file.getParent());
        return spares.take(file, bytes);
    }

    /**
     * Makes room for {@code bytes}, has {@code writer} write {@code key}'s segment file and stores it; returns the
     * segment's size. Also for a segment file's bytes received from a peer (the bulk path): they are not checked
     * here, a malformed file fails when it is mapped.
     */
    public long storeSegment(String key, long bytes, SegmentWriter writer) {
        Path file = segmentDir.resolve(segmentFileName(key));
        long reserved = 0;
        try {
            long size;
            try {
                reserved = room.makeRoom(key, bytes);
                Files.createDirectories(segmentDir);
                try {
                    size = writer.write(file);
                } catch (IOException | RuntimeException e) {
                    spares.untake(file);
                    if (e instanceof IOException) {
                        spares.drop(); // a full shared-memory folder: the spares' room goes to the next write
                    }
                    throw e;
                }
                spares.trim(file, size);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write the segment of " + key + " to " + file
                        + " (is the shared-memory directory full? see --shm-dir and --memory-limit): " + e.getMessage(), e);
            }
            StoreEntry e = new StoreEntry(key, true, Tier.SEGMENT, size);
            e.file = file;
            synchronized (this) {
                if (closed) {
                    StoreFiles.deleteQuietly(file);
                    throw new IllegalStateException("the object store is closed");
                }
                insert(e);
            }
            return size;
        } finally {
            unreserve(reserved);
        }
    }

    /** For {@link RoomMaker}: segment bytes, writes in progress and spill candidates, read together. */
    synchronized RoomMaker.Counted countForRoom() {
        checkOpen();
        return new RoomMaker.Counted(tierBytes.segment() + spares.bytes(), reservedBytes, spillCandidates());
    }

    /** Counts {@code bytes} of a write that made room and is not stored yet (until {@link #unreserve}d). */
    synchronized void reserve(long bytes) {
        reservedBytes += bytes;
    }

    private synchronized void unreserve(long bytes) {
        reservedBytes -= bytes;
    }

    /**
     * Borrows a neighbour's segment {@code file} as {@code key}: maps it read-only (zero copy) for local tasks.
     * Returns the mapped size, or -1 when the file cannot be mapped (gone, unreadable): then fetch it another way.
     */
    public long adoptSegment(String key, Path file) {
        synchronized (this) {
            StoreEntry held = entries.get(key);
            if (held != null) {
                return held.size;
            }
        }
        MappedSegment mapping;
        try {
            mapping = MappedSegment.map(file, allocator);
        } catch (IOException | RuntimeException e) {
            LOG.debug("cannot map the neighbour's segment {} of {}: {}", file, key, e.toString());
            return -1;
        }
        StoreEntry e = new StoreEntry(key, true, Tier.BORROWED, mapping.size());
        e.file = file;
        e.mapping = mapping;
        synchronized (this) {
            if (closed || entries.containsKey(key)) {
                StoreFiles.closeQuietly(mapping);
                return closed ? -1 : entries.get(key).size;
            }
            insert(e);
        }
        return e.size;
    }

    /** A held table's file (its segment, or its spill file) and size. */
    public record TableFile(Path file, long size) {}

    /**
     * The file of table {@code key} for serving its bytes to a peer, pinned so that it is not spilled meanwhile
     * ({@link #unpin} it when done); null, and nothing pinned, when {@code key} is not a table held here. The file
     * may still vanish if the key is released: a reader must cope with that.
     */
    public synchronized TableFile pinTableFile(String key) {
        StoreEntry e = entries.get(key);
        if (e == null || !e.table || e.tier == Tier.BORROWED || e.file == null) {
            return null;
        }
        e.lastUse = ++tick;
        pins.merge(key, 1, Integer::sum);
        return new TableFile(e.file, e.size);
    }

    /** The serialized value of {@code key}; null when it is not held or is a table. Reads a spilled value back. */
    public synchronized byte[] get(String key) {
        StoreEntry e = entries.get(key);
        if (e == null || e.table) {
            return null;
        }
        e.lastUse = ++tick;
        if (e.tier == Tier.SPILLED) {
            unspillValue(e);
        }
        return e.bytes;
    }

    public synchronized boolean isTable(String key) {
        StoreEntry e = entries.get(key);
        return e != null && e.table;
    }

    /**
     * A new zero-copy view of the table {@code key}, which the caller closes; null when the key is not held or is
     * not a table. A spilled table is mapped from its spill file.
     */
    public synchronized Partition table(String key) {
        StoreEntry e = entries.get(key);
        if (e == null || !e.table) {
            return null;
        }
        e.lastUse = ++tick;
        if (e.tier == Tier.SPILLED) {
            // Not cached: the mapping lives only as long as this view, so its pages leave the process's memory
            // when the reader is done instead of staying resident until the key is released.
            try (MappedSegment once = map(e)) {
                stats.unspilled(e.size);
                return once.partition();
            }
        }
        if (e.mapping == null) {
            e.mapping = map(e);
        }
        return e.mapping.partition();
    }

    private MappedSegment map(StoreEntry e) {
        return StoreFiles.map(e.key, e.file, allocator);
    }

    /** Bytes {@code key} takes in its tier, or -1 when it is not held. */
    public synchronized long sizeOf(String key) {
        StoreEntry e = entries.get(key);
        return e == null ? -1 : e.size;
    }

    /** Marks keys as in use (by a running task, a transfer): they are not spilled until {@link #unpin}ned. */
    public synchronized void pin(Collection<String> keys) {
        keys.forEach(k -> pins.merge(k, 1, Integer::sum));
    }

    public synchronized void unpin(Collection<String> keys) {
        keys.forEach(k -> pins.computeIfPresent(k, (key, n) -> n <= 1 ? null : n - 1));
    }

    /** Removes the key (closing its mapping and unlinking its file); returns whether it was held. */
    public boolean remove(String key) {
        synchronized (this) {
            StoreEntry e = entries.remove(key);
            if (e == null) {
                return false;
            }
            account(e, -1);
            discard(e);
            return true;
        }
    }

    public synchronized boolean contains(String key) {
        return entries.containsKey(key);
    }

    public synchronized Set<String> keys() {
        return Set.copyOf(entries.keySet());
    }

    /** {@code key}'s size and type as a scheduler is told them, or null when it is not stored here. */
    public synchronized WorkerReport.HeldKey heldKey(String key) {
        StoreEntry e = entries.get(key);
        return e == null ? null : new WorkerReport.HeldKey(e.key, e.size, e.table ? TABLE_TYPE : "");
    }

    public synchronized int size() {
        return entries.size();
    }

    /** Bytes held in every tier (borrowed segments are the neighbour's and do not count). */
    public synchronized long bytes() {
        return tierBytes.total();
    }

    @Override
    public synchronized long heapBytes() {
        return tierBytes.heap();
    }

    @Override
    public synchronized long segmentBytes() {
        return tierBytes.segment();
    }

    @Override
    public synchronized long spilledBytes() {
        return tierBytes.spilled();
    }

    /**
     * Shared memory this store holds: its segments and its spare segment files (memory pages allocated ahead for
     * new segments). Process memory is the private resident memory plus this.
     */
    @Override
    public long sharedMemoryBytes() {
        return segmentBytes() + spares.bytes();
    }

    /** True while a spare segment file is being made in the background (for tests). */
    boolean makingSpares() {
        return spares.making();
    }

    /** Whether this store keeps spare segment files (a bound above 0, and fallocate available here). */
    public boolean sparesEnabled() {
        return spares.enabled();
    }

    /** Bytes of spare segment files held ({@link #newSegmentFile}). */
    public long spareBytes() {
        return spares.bytes();
    }

    /** Deletes the spare segment files (memory is needed); returns the bytes freed. Spilling should come after this. */
    @Override
    public long dropSpares() {
        return spares.drop();
    }

    /** Keys that may be spilled now (in memory, not pinned, not borrowed), least recently used first. */
    @Override
    public synchronized List<MemoryPolicy.Candidate> spillCandidates() {
        List<StoreEntry> list = new ArrayList<>();
        for (StoreEntry e : entries.values()) {
            if (e.inMemory() && !e.spilling && !pins.containsKey(e.key)) {
                list.add(e);
            }
        }
        list.sort(Comparator.comparingLong(e -> e.lastUse));
        return list.stream().map(StoreEntry::candidate).toList();
    }

    /**
     * Moves {@code key} to the spill directory (a table: copies its segment file, then unlinks it; a value: writes
     * its bytes) and returns the bytes moved; 0 when it is not spillable now (gone, pinned, borrowed, already
     * spilled) or the write failed (logged).
     */
    @Override
    public long spill(String key) {
        StoreEntry e;
        synchronized (this) {
            e = entries.get(key);
            if (closed || e == null || e.spilling || pins.containsKey(key) || !e.inMemory()) {
                return 0;
            }
            e.spilling = true;
        }
        Path target;
        long startMillis = System.currentTimeMillis();
        long t0 = System.nanoTime();
        try { // outside the lock: the file and bytes of an entry being spilled do not change
            target = e.table ? spillFiles.writeTable(key, e.file) : spillFiles.writeValue(key, e.bytes);
        } catch (IOException | RuntimeException ex) {
            synchronized (this) {
                e.spilling = false;
                if (e.discarded) {
                    dispose(e);
                }
            }
            LOG.warn("cannot spill {} to {} (is the spill directory full? see --spill-dir): {}", key, spillFiles.dir(), ex.toString());
            return 0;
        }
        synchronized (this) {
            e.spilling = false;
            if (e.discarded) { // removed or replaced while it was being copied
                dispose(e);
                StoreFiles.deleteQuietly(target);
                return 0;
            }
            account(e, -1);
            e.spilledTo(target);
            account(e, +1);
            stats.spilled(e.size);
        }
        stats.activity(Activity.SPILL, startMillis, (System.nanoTime() - t0) / 1000, e.size, 1, "");
        return e.size;
    }

    private void unspillValue(StoreEntry e) {
        long startMillis = System.currentTimeMillis();
        long t0 = System.nanoTime();
        byte[] bytes = SpillFiles.readValue(e.key, e.file);
        stats.activity(Activity.UNSPILL, startMillis, (System.nanoTime() - t0) / 1000, bytes.length, 1, "");
        account(e, -1);
        e.readBack(bytes);
        account(e, +1);
        stats.unspilled(bytes.length);
    }

    private void insert(StoreEntry e) {
        e.lastUse = ++tick;
        StoreEntry old = entries.put(e.key, e);
        account(e, +1);
        if (old != null) {
            account(old, -1);
            discard(old);
        }
    }

    private void account(StoreEntry e, int sign) {
        tierBytes.add(e.tier, sign * e.size);
    }

    /** An entry no longer in the map: dispose of it now, or once a spill in progress finishes. */
    private void discard(StoreEntry e) {
        e.discarded = true;
        if (!e.spilling) {
            dispose(e);
        }
    }

    /**
     * Frees the key's path at once (moved aside, so that the key can be stored again) and leaves the slow part,
     * unmapping and unlinking, to the {@link Releaser}.
     */
    private void dispose(StoreEntry e) {
        MappedSegment mapping = e.release();
        Path doomed = null;
        if (e.file != null && e.tier != Tier.BORROWED) {
            StoreEntry current = entries.get(e.key);
            if (current == null || !e.file.equals(current.file)) { // a replacement may have been written at the same path
                doomed = StoreFiles.moveAside(e.file);
            }
        }
        releaser.release(mapping, doomed);
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("the object store is closed");
        }
    }

    /** Drops every key (closing mappings, deleting this store's files) and closes the store's allocator. */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            List<StoreEntry> all = new ArrayList<>(entries.values());
            entries.clear();
            pins.clear();
            tierBytes.clear();
            all.forEach(this::discard);
        }
        spares.close();
        releaser.close();
        allocator.close(); // throws when a view handed out was never closed
    }
}
