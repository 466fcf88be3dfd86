package io.partita.client.code;

import io.partita.common.codec.ValueCodec;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.Collection;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Finds the class-path entries (directories or jars) that define the classes a task needs, packs them as
 * deterministic jars, uploads each once, and names them by SHA-256 digest. JDK classes and Partita's own code are
 * skipped (workers have them). Each entry is packed and hashed once per shipper, and checked on the scheduler (uploaded
 * when missing) at most every {@link #RECHECK_NANOS}.
 */
public final class CodeShipper {
    private final Set<Path> excluded;
    private final ArtifactUploader uploader;
    /**
     * How often an artifact shipped before is checked again (a HEAD request): the scheduler evicts jars unused for
     * longer than 10 minutes when its store is full, and this client then uploads it again.
     */
    static final long RECHECK_NANOS = java.util.concurrent.TimeUnit.MINUTES.toNanos(5);

    private record Shipped(Artifact artifact, long checkedNanos) {}

    private final ConcurrentMap<Path, Shipped> shipped = new ConcurrentHashMap<>();
    private final ClassValue<Optional<Path>> entryOf = new ClassValue<>() {
        @Override
        protected Optional<Path> computeValue(Class<?> type) {
            return classPathEntry(type);
        }
    };

    public CodeShipper(ArtifactUploader uploader) {
        this.uploader = uploader;
        Set<Path> ex = new java.util.HashSet<>();
        // the client's own entry is this class's (one module, and no import of io.partita.client here); common's is ValueCodec's
        for (Class<?> own : new Class<?>[] {ValueCodec.class, CodeShipper.class}) {
            location(own).ifPresent(ex::add);
        }
        this.excluded = Set.copyOf(ex);
    }

    /** The digests of the artifacts for these classes, sorted, after making sure each is uploaded. */
    public java.util.List<String> artifactsFor(Collection<Class<?>> classes) {
        Set<String> out = new TreeSet<>();
        for (Class<?> c : classes) {
            Optional<Path> entry = entryOf.get(c);
            if (entry.isPresent()) {
                out.add(shipped.compute(entry.get(), (path, before) -> {
                    long now = System.nanoTime();
                    if (before != null && now - before.checkedNanos() < RECHECK_NANOS) {
                        return before;
                    }
                    Artifact artifact = before != null ? before.artifact() : artifactOf(path);
                    uploader.ensureUploaded(artifact);
                    return new Shipped(artifact, now);
                }).artifact().sha256());
            }
        }
        return java.util.List.copyOf(out);
    }

    /** The class-path entry shipped for {@code type}, or empty for the JDK's and Partita's classes. */
    public Optional<Path> classPathEntry(Class<?> type) {
        while (type.isArray()) {
            type = type.getComponentType();
        }
        if (type.isPrimitive()) {
            return Optional.empty();
        }
        ClassLoader loader = type.getClassLoader();
        if (loader == null || loader == ClassLoader.getPlatformClassLoader()) {
            return Optional.empty();
        }
        return location(type).filter(p -> !excluded.contains(p));
    }

    /** Packs (for a directory) or reads (for a jar) an entry; public for tests and tools. */
    public static Artifact artifactOf(Path entry) {
        if (Files.isDirectory(entry)) {
            byte[] jar = DeterministicJar.pack(entry);
            return new Artifact(entry, DeterministicJar.sha256(jar), jar.length, () -> jar);
        }
        String sha = DeterministicJar.sha256(entry);
        long size;
        try {
            size = Files.size(entry);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return new Artifact(entry, sha, size, () -> {
            try {
                return Files.readAllBytes(entry);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException("cannot read " + entry, e);
            }
        });
    }

    private static Optional<Path> location(Class<?> type) {
        try {
            CodeSource cs = type.getProtectionDomain().getCodeSource();
            if (cs == null || cs.getLocation() == null) {
                return Optional.empty();
            }
            URL url = cs.getLocation();
            if (!"file".equals(url.getProtocol())) {
                return Optional.empty();
            }
            Path p = Path.of(url.toURI()).toAbsolutePath().normalize();
            return Files.exists(p) ? Optional.of(p) : Optional.empty();
        } catch (URISyntaxException | SecurityException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
