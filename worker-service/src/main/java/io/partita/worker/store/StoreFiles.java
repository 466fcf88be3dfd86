package io.partita.worker.store;

import io.partita.common.data.MappedSegment;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
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

    static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            LOG.warn("cannot delete {}: {}", file, e.toString());
        }
    }
}
