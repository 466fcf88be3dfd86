package io.partita.scheduler.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/** Content-addressed jars on disk, named {@code <sha256>.jar}. Thread-safe: uploads are written off the event loop. */
public final class ArtifactStore {
    public static final String SHA256 = "[0-9a-f]{64}";

    private final Path dir;
    private final Set<String> present = ConcurrentHashMap.newKeySet();

    public ArtifactStore(Path dir) {
        this.dir = dir;
        try {
            Files.createDirectories(dir);
            try (Stream<Path> files = Files.list(dir)) {
                files.map(p -> p.getFileName().toString())
                        .filter(n -> n.matches(SHA256 + "\\.jar"))
                        .forEach(n -> present.add(n.substring(0, 64)));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot use the artifact directory " + dir + ": " + e.getMessage(), e);
        }
    }

    public boolean contains(String sha) {
        return present.contains(sha);
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
            present.add(sha);
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
