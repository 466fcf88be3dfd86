package io.partita.worker.store;

import io.partita.common.data.MappedSegment;
import io.partita.common.data.Partition;
import io.partita.common.data.SegmentFiles;
import io.partita.common.protocol.WorkerReport;
import io.partita.worker.memory.MemoryPolicy;
import io.partita.worker.memory.SpillableStore;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.function.LongSupplier;
import org.apache.arrow.memory.BufferAllocator;

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
 *
 * <p>This class is the facade; one lock, this store's, guards all the state, kept in {@link StoreIndex}. Its parts:
 * {@link StoreWrites} (keys coming in), {@link Spiller}, {@link RoomMaker} (make-room), {@link SegmentSpares}.
 */
public final class ObjectStore implements SpillableStore, AutoCloseable {

    private final BufferAllocator allocator;
    private final Path segmentDir;
    private final TransferStats stats;
    private final Releaser releaser = new Releaser();
    private final StoreIndex index = new StoreIndex(releaser);
    private final RoomMaker room = new RoomMaker(this);
    private final SegmentSpares spares;
    private final Spiller spiller;
    private final StoreWrites writes;
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
        this.stats = stats;
        this.spares = new SegmentSpares(segmentDir, spareBytes, room::mayHold);
        this.spiller = new Spiller(this, index, new SpillFiles(spillDir), stats);
        this.writes = new StoreWrites(this, index, room, spares, allocator);
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
        writes.put(key, value);
    }

    /**
     * Takes ownership of {@code table}: writes it as this worker's segment of {@code key}, closes it (also when the
     * write fails) and returns the segment's size.
     */
    public long putTable(String key, Partition table) {
        return writes.putTable(key, table);
    }

    /**
     * Copies a neighbour's segment (or spill) file {@code source} as this worker's own segment of {@code key} (a
     * retiring worker's key: it must outlive the neighbour). Returns the size, or -1 when {@code source} is gone.
     */
    public long copySegment(String key, Path source) {
        return writes.copySegment(key, source);
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
        return writes.newSegmentFile(file, bytes);
    }

    /**
     * Makes room for {@code bytes}, has {@code writer} write {@code key}'s segment file and stores it; returns the
     * segment's size. Also for a segment file's bytes received from a peer (the bulk path): they are not checked
     * here, a malformed file fails when it is mapped.
     */
    public long storeSegment(String key, long bytes, SegmentWriter writer) {
        return writes.storeSegment(key, bytes, writer);
    }

    /** For {@link RoomMaker}: segment bytes, writes in progress and spill candidates, read together. */
    synchronized RoomMaker.Counted countForRoom() {
        checkOpen();
        return new RoomMaker.Counted(index.tierBytes().segment() + spares.bytes(), index.reservedBytes(), index.spillCandidates());
    }

    /** For {@link RoomMaker}: see {@link StoreIndex#reserve}. */
    synchronized void reserve(long bytes) {
        index.reserve(bytes);
    }

    /**
     * Borrows a neighbour's segment {@code file} as {@code key}: maps it read-only (zero copy) for local tasks.
     * Returns the mapped size, or -1 when the file cannot be mapped (gone, unreadable): then fetch it another way.
     */
    public long adoptSegment(String key, Path file) {
        return writes.adoptSegment(key, file);
    }

    /** A held table's file (its segment, or its spill file) and size. */
    public record TableFile(Path file, long size) {}

    /**
     * The file of table {@code key} for serving its bytes to a peer, pinned so that it is not spilled meanwhile
     * ({@link #unpin} it when done); null, and nothing pinned, when {@code key} is not a table held here. The file
     * may still vanish if the key is released: a reader must cope with that.
     */
    public synchronized TableFile pinTableFile(String key) {
        StoreEntry e = index.get(key);
        if (e == null || !e.table || e.tier == Tier.BORROWED || e.file == null) {
            return null;
        }
        index.touch(e);
        index.pin(key);
        return new TableFile(e.file, e.size);
    }

    /** The serialized value of {@code key}; null when it is not held or is a table. Reads a spilled value back. */
    public synchronized byte[] get(String key) {
        StoreEntry e = index.get(key);
        if (e == null || e.table) {
            return null;
        }
        index.touch(e);
        if (e.tier == Tier.SPILLED) {
            spiller.unspillValue(e);
        }
        return e.bytes;
    }

    public synchronized boolean isTable(String key) {
        StoreEntry e = index.get(key);
        return e != null && e.table;
    }

    /**
     * A new zero-copy view of the table {@code key}, which the caller closes; null when the key is not held or is
     * not a table. A spilled table is mapped from its spill file.
     */
    public synchronized Partition table(String key) {
        StoreEntry e = index.get(key);
        if (e == null || !e.table) {
            return null;
        }
        index.touch(e);
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
        StoreEntry e = index.get(key);
        return e == null ? -1 : e.size;
    }

    /** Marks keys as in use (by a running task, a transfer): they are not spilled until {@link #unpin}ned. */
    public synchronized void pin(Collection<String> keys) {
        keys.forEach(index::pin);
    }

    public synchronized void unpin(Collection<String> keys) {
        keys.forEach(index::unpin);
    }

    /** Removes the key (closing its mapping and unlinking its file); returns whether it was held. */
    public synchronized boolean remove(String key) {
        return index.remove(key);
    }

    public synchronized boolean contains(String key) {
        return index.contains(key);
    }

    public synchronized Set<String> keys() {
        return index.keys();
    }

    /** {@code key}'s size and type as a scheduler is told them, or null when it is not stored here. */
    public synchronized WorkerReport.HeldKey heldKey(String key) {
        StoreEntry e = index.get(key);
        return e == null ? null : new WorkerReport.HeldKey(e.key, e.size, e.table ? Partition.TYPE : "");
    }

    public synchronized int size() {
        return index.size();
    }

    /** Bytes held in every tier (borrowed segments are the neighbour's and do not count). */
    public synchronized long bytes() {
        return index.tierBytes().total();
    }

    @Override
    public synchronized long heapBytes() {
        return index.tierBytes().heap();
    }

    @Override
    public synchronized long segmentBytes() {
        return index.tierBytes().segment();
    }

    @Override
    public synchronized long spilledBytes() {
        return index.tierBytes().spilled();
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
        return index.spillCandidates();
    }

    /**
     * Moves {@code key} to the spill directory (a table: copies its segment file, then unlinks it; a value: writes
     * its bytes) and returns the bytes moved; 0 when it is not spillable now (gone, pinned, borrowed, already
     * spilled) or the write failed (logged).
     */
    @Override
    public long spill(String key) {
        return spiller.spill(key);
    }

    /** Whether {@link #close} ran; for the store's parts, which ask holding its lock. */
    boolean isClosed() {
        return closed;
    }

    /** Throws once the store is closed; the caller holds its lock. */
    void checkOpen() {
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
            index.clear();
        }
        spares.close();
        releaser.close();
        allocator.close(); // throws when a view handed out was never closed
    }
}
