package io.partita.worker.store;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongPredicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Spare segment files whose memory pages already exist, so that writing a big new segment (a table received over
 * the bulk path or Flight, a task's result) is a copy into existing pages instead of the kernel allocating and
 * zeroing a 4 KiB page at each first write: on a default tmpfs /dev/shm that is a third to a half of the
 * receiver's time for 256 MiB (see docs/data-plane.md, "What limits the bulk path").
 *
 * <p>A spare is an empty hidden file in the worker's segment folder given its pages with
 * {@code fallocate(FALLOC_FL_KEEP_SIZE)} ({@link Fallocate}) by a background thread. A writer {@link #take}s one of
 * at least the size it needs (at most twice as big) as its temp file; its size is 0, so a writer sees an ordinary
 * new file, and after the write {@link #trim} frees the pages beyond the written size. Every take of a big file
 * also asks the thread for a new spare of that size once the write is over (during it, the allocation would compete
 * with the write for the CPU), so the pool follows the sizes being stored.
 *
 * <p>Spares are always new files, never released segments: a released segment may still be mapped by a
 * neighbour process, or being sent by {@code sendfile} or by zero-copy Flight; reusing its pages would show that
 * reader another key's bytes (or SIGBUS on truncation). A spare was never visible to anyone.
 *
 * <p>Bounds: at most {@link #MAX_FILES} spares and {@code maxBytes} bytes, and a spare is made only when
 * {@code mayHold} allows it (the memory limit's target) and it takes at most a quarter of the file system's free
 * space; spares count as the worker's memory (see
 * {@link ObjectStore#sharedMemoryBytes}) and are dropped before anything is spilled. {@link #close} deletes them.
 */
final class SegmentSpares implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ObjectStore.class);
    /** Smaller segments take a new file: their pages cost little, and a pool of them would cost many files. */
    static final long MIN_BYTES = 8L << 20;
    static final int MAX_FILES = 4;
    /** Spares are made in multiples of this (a huge page, so that similar sizes share a spare size). */
    static final long ALIGN = 2L << 20;
    private static final AtomicLong NAMES = new AtomicLong();

    private record Spare(Path file, long capacity) {}

    private final Path dir;
    private final long maxBytes;
    private final LongPredicate mayHold;
    private final Deque<Spare> spares = new ArrayDeque<>(); // oldest first; guarded by this
    private final Set<Path> taken = ConcurrentHashMap.newKeySet();
    /** Spares to make once the write into the file taken for each target is over (not during it: it would compete). */
    private final Map<Path, Long> wanted = new ConcurrentHashMap<>();
    /** Spares asked for and not yet made or given up (for tests: the pool is settled when none is). */
    private final AtomicInteger making = new AtomicInteger();
    private long bytes; // guarded by this
    private boolean closed; // guarded by this
    private final ThreadPoolExecutor filler;

    /**
     * @param dir      the worker's segment folder
     * @param maxBytes bound on the spares' bytes; 0 turns spares off (as does a platform without fallocate)
     * @param mayHold  whether a new spare of that many bytes fits under the memory limit now
     */
    SegmentSpares(Path dir, long maxBytes, LongPredicate mayHold) {
        this.dir = dir;
        this.maxBytes = Fallocate.available() ? Math.max(0, maxBytes) : 0;
        this.mayHold = mayHold;
        this.filler = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(MAX_FILES), r -> {
            Thread t = new Thread(r, "partita-store-spares");
            t.setDaemon(true);
            return t;
        }, (r, pool) -> making.decrementAndGet()); // a full queue: that spare is not made
    }

    boolean enabled() {
        return maxBytes > 0;
    }

    /**
     * A new empty file beside {@code target} for writing a segment of about {@code size} bytes, to be renamed to
     * {@code target}: a spare (pages already there) when one fits, else a new file. Either way the caller owns it
     * (deletes it on failure), and after storing it calls {@link #trim}.
     */
    Path take(Path target, long size) throws IOException {
        Path tmp = target.resolveSibling("." + target.getFileName() + "." + NAMES.incrementAndGet() + ".tmp");
        if (!enabled() || size < MIN_BYTES) {
            return Files.createFile(tmp);
        }
        Spare spare = null;
        synchronized (this) {
            for (Spare s : spares) {
                if (s.capacity >= size && s.capacity <= 2 * size && (spare == null || s.capacity < spare.capacity)) {
                    spare = s;
                }
            }
            if (spare != null) {
                spares.remove(spare);
                bytes -= spare.capacity;
            }
        }
        wanted.put(target, capacityFor(size));
        if (spare != null) {
            try {
                Files.move(spare.file, tmp, StandardCopyOption.ATOMIC_MOVE);
                taken.add(target);
                return tmp;
            } catch (IOException e) {
                LOG.debug("cannot use the spare segment file {}: {}", spare.file, e.toString());
                StoreFiles.deleteQuietly(spare.file);
            }
        }
        return Files.createFile(tmp);
    }

    /**
     * After {@code file} (a {@link #take}n spare, renamed) was written with {@code size} bytes: frees the spare's pages
     * beyond that size. A no-op for files that were not spares.
     */
    void trim(Path file, long size) {
        Long capacity = wanted.remove(file);
        if (capacity != null) {
            fill(capacity);
        }
        if (!taken.remove(file)) {
            return;
        }
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.setLength(size); // ftruncate to its own size: tmpfs frees the pages past the end (FileChannel.truncate would not call it)
        } catch (IOException e) {
            LOG.debug("cannot trim {}: {}", file, e.toString());
        }
    }

    /** Forgets a take whose write failed (the caller deleted the file). */
    void untake(Path target) {
        taken.remove(target);
        wanted.remove(target);
    }

    static long capacityFor(long size) {
        return (size + ALIGN - 1) / ALIGN * ALIGN;
    }

    /** Asks the background thread for a spare of {@code capacity} bytes. */
    private void fill(long capacity) {
        if (capacity > maxBytes) {
            return;
        }
        making.incrementAndGet();
        filler.execute(() -> {
            try {
                make(capacity);
            } finally {
                making.decrementAndGet();
            }
        });
    }

    /** True while a spare asked for is still being made. */
    boolean making() {
        return making.get() > 0;
    }

    private void make(long capacity) {
        synchronized (this) {
            if (closed) {
                return;
            }
        }
        // make room in the pool: the oldest spares go (their sizes were wanted longest ago)
        while (true) {
            Spare old;
            synchronized (this) {
                if (spares.size() < MAX_FILES && bytes + capacity <= maxBytes) {
                    break;
                }
                old = spares.pollFirst();
                if (old == null) {
                    return;
                }
                bytes -= old.capacity;
            }
            StoreFiles.deleteQuietly(old.file);
        }
        try {
            if (!mayHold.test(capacity)) {
                return;
            }
        } catch (RuntimeException closing) { // the store closed meanwhile
            return;
        }
        try { // a spare takes at most a quarter of the free space, so that it never leaves a segment without room
            if (Files.getFileStore(dir).getUsableSpace() < 4 * capacity) {
                return;
            }
        } catch (IOException e) {
            return;
        }
        Path file = dir.resolve(".spare-" + NAMES.incrementAndGet());
        try {
            Files.createFile(file);
        } catch (IOException e) {
            LOG.debug("cannot create a spare segment file in {}: {}", dir, e.toString());
            return;
        }
        if (!Fallocate.keepSize(file, capacity)) {
            StoreFiles.deleteQuietly(file);
            LOG.debug("cannot allocate {} bytes for a spare segment file in {}", capacity, dir);
            return;
        }
        synchronized (this) {
            if (!closed) {
                spares.addLast(new Spare(file, capacity));
                bytes += capacity;
                return;
            }
        }
        StoreFiles.deleteQuietly(file);
    }

    /** Bytes of memory the spares hold now. */
    synchronized long bytes() {
        return bytes;
    }

    synchronized int count() {
        return spares.size();
    }

    /** Deletes every spare (memory is needed for something else); returns the bytes freed. */
    long drop() {
        Spare[] all;
        long freed;
        synchronized (this) {
            all = spares.toArray(Spare[]::new);
            spares.clear();
            freed = bytes;
            bytes = 0;
        }
        for (Spare s : all) {
            StoreFiles.deleteQuietly(s.file);
        }
        return freed;
    }

    /** Stops making spares and deletes them (waits, bounded, for one being made). */
    @Override
    public void close() {
        synchronized (this) {
            closed = true;
        }
        filler.shutdownNow();
        try {
            if (!filler.awaitTermination(30, TimeUnit.SECONDS)) {
                LOG.warn("a spare segment file took over 30 s to allocate; closing without it");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        drop();
    }
}
