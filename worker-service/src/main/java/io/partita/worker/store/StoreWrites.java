package io.partita.worker.store;

import io.partita.common.data.MappedSegment;
import io.partita.common.data.Partition;
import io.partita.common.data.SegmentFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.apache.arrow.memory.BufferAllocator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How keys come into an {@link ObjectStore}: heap values and segments written here (after making room: the bytes
 * reserved meanwhile are unreserved here), copied from a neighbour, or borrowed from one. Files are written and
 * mapped outside the store's lock; the entry is stored under it.
 */
final class StoreWrites {
    /** The store's logger, so that these messages keep the category they are configured under. */
    private static final Logger LOG = LoggerFactory.getLogger(ObjectStore.class);

    private final ObjectStore store;
    private final StoreIndex index;
    private final RoomMaker room;
    private final SegmentSpares spares;
    private final BufferAllocator allocator;

    /** @param store whose lock guards {@code index}, and whose segment folder the segments are written to */
    StoreWrites(ObjectStore store, StoreIndex index, RoomMaker room, SegmentSpares spares, BufferAllocator allocator) {
        this.store = store;
        this.index = index;
        this.room = room;
        this.spares = spares;
        this.allocator = allocator;
    }

    /** See {@link ObjectStore#put}. */
    void put(String key, byte[] value) {
        StoreEntry e = new StoreEntry(key, false, Tier.HEAP, value.length);
        e.bytes = value;
        long reserved = value.length >= ObjectStore.MAKE_ROOM_MIN_VALUE_BYTES ? room.makeRoom(key, value.length) : 0;
        try {
            synchronized (store) {
                store.checkOpen();
                index.insert(e);
            }
        } finally {
            unreserve(reserved);
        }
    }

    /** See {@link ObjectStore#putTable}. */
    long putTable(String key, Partition table) {
        try (table) {
            long bytes = table.bufferBytes();
            return storeSegment(key, bytes, file -> SegmentFiles.write(table, newSegmentFile(file, bytes), file));
        }
    }

    /** See {@link ObjectStore#copySegment}. */
    long copySegment(String key, Path source) {
        synchronized (store) {
            StoreEntry held = index.get(key);
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
            Path tmp = Files.createTempFile(store.segmentDir(), "." + file.getFileName(), ".tmp");
            try {
                Files.copy(source, tmp, StandardCopyOption.REPLACE_EXISTING);
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } finally {
                Files.deleteIfExists(tmp);
            }
            return Files.size(file);
        });
    }

    /** See {@link ObjectStore#newSegmentFile}. */
    Path newSegmentFile(Path file, long bytes) throws IOException {
        Files.createDirectories(file.getParent());
        return spares.take(file, bytes);
    }

    /** See {@link ObjectStore#storeSegment}. */
    long storeSegment(String key, long bytes, ObjectStore.SegmentWriter writer) {
        Path segmentDir = store.segmentDir();
        Path file = segmentDir.resolve(StoreFiles.segmentFileName(key));
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
            synchronized (store) {
                if (store.isClosed()) {
                    StoreFiles.deleteQuietly(file);
                    throw new IllegalStateException("the object store is closed");
                }
                index.insert(e);
            }
            return size;
        } finally {
            unreserve(reserved);
        }
    }

    /** The write that {@link RoomMaker#makeRoom} reserved {@code bytes} for is stored or failed. */
    private void unreserve(long bytes) {
        synchronized (store) {
            index.unreserve(bytes);
        }
    }

    /** See {@link ObjectStore#adoptSegment}. */
    long adoptSegment(String key, Path file) {
        synchronized (store) {
            StoreEntry held = index.get(key);
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
        synchronized (store) {
            if (store.isClosed() || index.contains(key)) {
                StoreFiles.closeQuietly(mapping);
                return store.isClosed() ? -1 : index.get(key).size;
            }
            index.insert(e);
        }
        return e.size;
    }
}
