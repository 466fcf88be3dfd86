package io.partita.worker.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * The spill directory's side of spilling: writes a key's segment or value there and reads a value back. Knows nothing
 * of the store's map or lock: the store writes outside its lock (the copy can be long) and reads back under it.
 */
final class SpillFiles {
    private final Path dir;

    /** @param dir where spilled keys go (created on the first spill) */
    SpillFiles(Path dir) {
        this.dir = dir;
    }

    Path dir() {
        return dir;
    }

    /** Copies the table {@code key}'s segment file to its spill file ({@code <sha-256>.arrow}) and returns it. */
    Path writeTable(String key, Path segment) throws IOException {
        return write(dir.resolve(StoreFiles.segmentFileName(key)), tmp -> Files.copy(segment, tmp, StandardCopyOption.REPLACE_EXISTING));
    }

    /** Writes the value {@code key}'s bytes to its spill file ({@code <sha-256>.bin}) and returns it. */
    Path writeValue(String key, byte[] value) throws IOException {
        return write(dir.resolve(StoreFiles.segmentFileName(key).replace(".arrow", ".bin")), tmp -> Files.write(tmp, value));
    }

    private interface Writer {
        void to(Path tmp) throws IOException;
    }

    /** Writes a temporary file next to {@code target}, then moves it into place atomically; on failure deletes it. */
    private Path write(Path target, Writer writer) throws IOException {
        Path tmp = dir.resolve(target.getFileName() + ".tmp");
        try {
            Files.createDirectories(dir);
            writer.to(tmp);
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return target;
        } catch (IOException | RuntimeException ex) {
            StoreFiles.deleteQuietly(tmp);
            throw ex;
        }
    }

    /** Reads the spilled value {@code key} back from its spill {@code file} (which the caller then deletes). */
    static byte[] readValue(String key, Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException ex) {
            throw new UncheckedIOException("cannot read the spilled value of " + key + " from " + file + ": " + ex.getMessage(), ex);
        }
    }
}
