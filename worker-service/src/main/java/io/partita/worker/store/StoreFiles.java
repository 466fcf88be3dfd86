package io.partita.worker.store;

import io.partita.common.data.MappedSegment;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.StandardCopyOption;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.arrow.memory.BufferAllocator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** File helpers of the object store: segment file names, mapping, quiet unmapping and deleting. */
final class StoreFiles {
    /** The store's logger, so that these messages keep the category they are configured under. */
    private static final Logger LOG = LoggerFactory.getLogger(ObjectStore.class);

    private StoreFiles() {}

    /** See {@link ObjectStore#segmentFileName}. */
    static String segmentFileName(String key) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest) + ".arrow";
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    /** Maps {@code key}'s segment {@code file} (zero copy). */
    static MappedSegment map(String key, Path file, BufferAllocator allocator) {
        try {
            return MappedSegment.map(file, allocator);
        } catch (IOException ex) {
            throw new UncheckedIOException("cannot map the segment of " + key + " at " + file + ": " + ex.getMessage(), ex);
        }
    }

    static void closeQuietly(MappedSegment mapping) {
        if (mapping != null) {
            try {
                mapping.close();
            } catch (Exception e) {
                LOG.warn("cannot unmap {}: {}", mapping.file(), e.toString());
            }
        }
    }

    private static final AtomicLong ASIDE = new AtomicLong();

    /**
     * Renames {@code file} to a hidden sibling ({@code .<name>.<n>.released}) to be deleted later; returns the new
     * path, or null when the file is gone. Deletes it at once when it cannot be renamed.
     */
    static Path moveAside(Path file) {
        Path aside = file.resolveSibling("." + file.getFileName() + "." + ASIDE.incrementAndGet() + ".released");
        try {
            return Files.move(file, aside, StandardCopyOption.ATOMIC_MOVE);
        } catch (NoSuchFileException gone) {
            return null;
        } catch (IOException e) {
            LOG.debug("cannot move {} aside ({}); deleting it now", file, e.toString());
            deleteQuietly(file);
            return null;
        }
    }

    static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            LOG.warn("cannot delete {}: {}", file, e.toString());
        }
    }
}
