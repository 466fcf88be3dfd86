package io.partita.scheduler.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * Content-addressed jars on disk, named {@code <sha256>.jar}, at most {@code maxTotalBytes} in all: to make room, the
 * jars least recently used that no live function needs are deleted (a client uploads again what it needs). A jar
 * is never evicted within {@link #GRACE_MILLIS} of its upload or last download, so that one uploaded for a graph
 * not yet submitted stays. Thread-safe: uploads are written off the event loop.
 */
public final class ArtifactStore {
    public static final String SHA256 = "[0-9a-f]{64}";
    /** A jar just uploaded or fetched is kept this long whatever the pressure: its graph may be on its way. */
    public static final long GRACE_MILLIS = 10 * 60_000;

    private record Stored(long bytes, long lastUsedMillis) {}

    private final Path dir;
    private final long maxTotalBytes;
    private final Map<String, Stored> present = new ConcurrentHashMap<>();

    public ArtifactStore(Path dir, long maxTotalBytes) {
        this.dir = dir;
        this.maxTotalBytes = maxTotalBytes;
        try {
            Files.createDirectories(dir);
            try (Stream<Path> files = Files.list(dir)) {
                for (Path p : files.filter(p -> p.getFileName().toString().matches(SHA256 + "\\.jar")).toList()) {
                    present.put(p.getFileName().toString().substring(0, 64), new Stored(Files.size(p), System.currentTimeMillis()));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot use the artifact directory " + dir + ": " + e.getMessage(), e);
        }
    }

    public boolean contains(String sha) {
        return present.containsKey(sha);
    }

    /** {@code sha} was just downloaded (by a worker): it counts as recently used. */
    public void touch(String sha, long nowMillis) {
        present.computeIfPresent(sha, (k, s) -> new Stored(s.bytes(), nowMillis));
    }

    public long totalBytes() {
        return present.values().stream().mapToLong(Stored::bytes).sum();
    }

    /**
     * Blocking: deletes the least recently used jars that {@code inUse} does not hold and that are past their grace,
     * until {@code incoming} more bytes fit under the limit.
     *
     * @return the jars deleted; the room is there when {@link #fits} says so
     */
    public synchronized List<String> makeRoom(long incoming, Predicate<String> inUse, long nowMillis) {
        List<String> evicted = new ArrayList<>();
        List<Map.Entry<String, Stored>> candidates = present.entrySet().stream()
                .filter(e -> !inUse.test(e.getKey()) && nowMillis - e.getValue().lastUsedMillis() > GRACE_MILLIS)
                .sorted(Comparator.comparingLong(e -> e.getValue().lastUsedMillis())).toList();
        for (Map.Entry<String, Stored> e : candidates) {
            if (totalBytes() + incoming <= maxTotalBytes) {
                break;
            }
            try {
                Files.deleteIfExists(path(e.getKey()));
            } catch (IOException ex) {
                throw new UncheckedIOException("cannot delete artifact " + e.getKey() + ": " + ex.getMessage(), ex);
            }
            present.remove(e.getKey());
            evicted.add(e.getKey());
        }
        return evicted;
    }

    /** Whether {@code incoming} more bytes fit under the store's limit now. */
    public boolean fits(long incoming) {
        return totalBytes() + incoming <= maxTotalBytes;
    }

    public long maxTotalBytes() {
        return maxTotalBytes;
    }

    public Path path(String sha) {
        return dir.resolve(sha + ".jar");
    }

    public Path dir() {
        return dir;
    }

    /** Blocking: checks the digest and stores the jar atomically. Returns an error text, or null when stored. */
    public String store(String sha, byte[] body) {
        String actual = sha256(body);
        if (!actual.equals(sha)) {
            return "the body's SHA-256 is " + actual + ", not " + sha + " as the path says: upload the jar under its own digest";
        }
        try {
            Path tmp = Files.createTempFile(dir, sha, ".part");
            Files.write(tmp, body);
            Files.move(tmp, path(sha), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            present.put(sha, new Stored(body.length, System.currentTimeMillis()));
            return null;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot store artifact " + sha + ": " + e.getMessage(), e);
        }
    }

    public static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
