package io.partita.worker.store;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The shared-memory directory's layout: {@code <shm-dir>/<workerId>/} per worker, holding its segments and a
 * {@code pid} file ({@code <pid>\n<hostId>\n<pid namespace>}). A worker removes the folders of dead workers of its
 * own host id and PID namespace at start (their pid is not alive) and its own folder on a clean shutdown. Containers
 * that share a /dev/shm have PID namespaces of their own, where a neighbour's pid means nothing: its folder stays.
 */
public final class SegmentDirs {
    static final String PID_FILE = "pid";
    private static final Logger LOG = LoggerFactory.getLogger(SegmentDirs.class);

    private SegmentDirs() {}

    /** {@code shmDir}, or a folder in the temporary directory when its parent (e.g. /dev/shm) does not exist. */
    public static Path resolveRoot(Path shmDir) {
        Path parent = shmDir.toAbsolutePath().getParent();
        if (parent == null || Files.isDirectory(parent)) {
            return shmDir.toAbsolutePath();
        }
        Path fallback = Path.of(System.getProperty("java.io.tmpdir"), "partita-shm");
        LOG.warn("{} does not exist (no /dev/shm here?): keeping segments in {} instead", parent, fallback);
        return fallback;
    }

    /** Removes dead workers' folders under {@code root}, then creates this worker's folder with its pid file. */
    public static Path prepare(Path root, String workerId, String hostId) throws IOException {
        Files.createDirectories(root);
        String namespace = pidNamespace();
        removeDead(root, hostId, namespace);
        Path own = root.resolve(workerId);
        for (int attempt = 1; ; attempt++) {
            try {
                Files.createDirectories(own);
                Files.writeString(own.resolve(PID_FILE), ProcessHandle.current().pid() + "\n" + hostId + "\n" + namespace + "\n",
                        StandardCharsets.UTF_8);
                return own;
            } catch (java.nio.file.NoSuchFileException e) {
                // A neighbour leaving removed the (then empty) root between our steps: make it again, once more.
                if (attempt == 3) {
                    throw e;
                }
            }
        }
    }

    /**
     * Removes this worker's folder, then the shared root too if no other worker's folder is left in it, so that
     * nothing of ours stays in the shared-memory directory once the last worker of a host has stopped. Only a root
     * of ours (named partita…) is removed, never a directory such as /dev/shm itself given as --shm-dir.
     */
    public static void release(Path own) {
        deleteTree(own);
        Path root = own.getParent();
        if (root == null || !root.getFileName().toString().startsWith("partita")) {
            return;
        }
        try {
            Files.deleteIfExists(root);
        } catch (java.nio.file.DirectoryNotEmptyException inUse) {
            // other workers still live here
        } catch (IOException e) {
            LOG.debug("could not remove {}: {}", root, e.toString());
        }
    }

    /** This process's PID namespace (such as {@code pid:[4026531836]}), or "" where /proc does not tell. */
    static String pidNamespace() {
        try {
            return Files.readSymbolicLink(Path.of("/proc/self/ns/pid")).toString();
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return "";
        }
    }

    /**
     * Removes folders whose pid file names a process of {@code hostId}, in PID namespace {@code namespace}, that is
     * not alive; returns how many.
     */
    static int removeDead(Path root, String hostId, String namespace) {
        int removed = 0;
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(root, Files::isDirectory)) {
            for (Path dir : dirs) {
                Path pidFile = dir.resolve(PID_FILE);
                if (!Files.isRegularFile(pidFile)) {
                    continue; // being created, or not a worker's folder
                }
                List<String> lines;
                long pid;
                try {
                    lines = Files.readAllLines(pidFile, StandardCharsets.UTF_8);
                    pid = Long.parseLong(lines.getFirst().strip());
                } catch (IOException | RuntimeException e) {
                    continue;
                }
                String owner = lines.size() > 1 ? lines.get(1).strip() : "";
                String ownerNamespace = lines.size() > 2 ? lines.get(2).strip() : namespace;
                if (!owner.equals(hostId) || !ownerNamespace.equals(namespace)
                        || ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
                    continue; // another host's, another container's (its pid is not ours to check), or alive
                }
                LOG.info("removing the segments of a dead worker (pid {}): {}", pid, dir);
                deleteTree(dir);
                removed++;
            }
        } catch (IOException e) {
            LOG.warn("cannot scan {} for dead workers' segments: {}", root, e.toString());
        }
        return removed;
    }

    /** Deletes {@code dir} and everything in it; logs what it cannot delete. */
    public static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    LOG.warn("cannot delete {}: {}", p, e.toString());
                }
            });
        } catch (IOException e) {
            LOG.warn("cannot delete {}: {}", dir, e.toString());
        }
    }
}
