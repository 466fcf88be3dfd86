package io.partita.testnet;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The fixtures on this machine: their names ({@code ptn-<id>-h<i>}, {@code ptn-<id>-br}), their owners, and their
 * deletion, also of those whose owner was killed before it could close them.
 */
final class Fixtures {
    private static final Pattern OURS = Pattern.compile("ptn-([0-9a-f]{4})-(br|h[0-9]{1,3})");
    static final Path NETNS_DIR = Path.of("/run/netns");
    /** One file per live fixture, {@code <id>}: the owner's pid and start time, so a stale one can be told apart. */
    static final Path OWNERS = Path.of("/run/partita-testnet");
    static final Path SHM = Path.of("/dev/shm");

    private Fixtures() {}

    /**
     * Deletes what fixture {@code id} made: kills the processes in its namespaces (SIGKILL), deletes the namespaces,
     * its {@code /dev/shm} folders and its owner file.
     */
    public static void delete(String id) throws IOException {
        if (!id.matches("[0-9a-f]{4}")) {
            throw new IllegalArgumentException("not a fixture id: " + id);
        }
        IOException failure = null;
        List<String> namespaces = ourNamespaces().getOrDefault(id, List.of());
        for (String ns : namespaces) {
            killAll(ns);
        }
        for (String ns : namespaces) {
            Shell.CommandResult r = Shell.run(List.of("ip", "netns", "del", ns), false);
            if (r.exitCode() != 0 && Files.exists(NETNS_DIR.resolve(ns))) {
                failure = failure != null ? failure : new IOException("ip netns del " + ns + ": " + r.output());
            }
        }
        try {
            Shell.deleteTree(shmRoot(id));
            Files.deleteIfExists(OWNERS.resolve(id));
        } catch (IOException | UncheckedIOException e) {
            failure = failure != null ? failure : new IOException("cleaning up fixture " + id + ": " + e.getMessage(), e);
        }
        if (failure != null) {
            throw failure;
        }
    }

    /**
     * Deletes the fixtures whose owner is gone (a test JVM killed before its {@link #close()}): namespaces named
     * {@code ptn-<id>-...} whose owner file is missing or names a process that no longer runs (pid and start time
     * compared, so a reused pid does not count). Returns the ids deleted. Other namespaces are never touched.
     */
    public static List<String> deleteStale() throws IOException {
        List<String> deleted = new ArrayList<>();
        java.util.Set<String> ids = new java.util.TreeSet<>(ourNamespaces().keySet());
        if (Files.isDirectory(OWNERS)) {
            try (var files = Files.list(OWNERS)) {
                files.map(p -> p.getFileName().toString()).filter(n -> n.matches("[0-9a-f]{4}")).forEach(ids::add);
            }
        }
        for (String id : ids) {
            if (!ownerAlive(id)) {
                delete(id);
                deleted.add(id);
            }
        }
        return deleted;
    }

    static boolean ownerAlive(String id) {
        try {
            List<String> lines = Files.readAllLines(OWNERS.resolve(id));
            long pid = Long.parseLong(lines.get(0).strip());
            long start = Long.parseLong(lines.get(1).strip());
            return ProcessHandle.of(pid).filter(ProcessHandle::isAlive).map(p -> startMillis(p) == start).orElse(false);
        } catch (IOException | RuntimeException e) {
            return false; // no owner file (or an unreadable one): nobody owns these namespaces any more
        }
    }

    /** This fixture's namespaces that exist now, by fixture id. */
    static Map<String, List<String>> ourNamespaces() throws IOException {
        Map<String, List<String>> byId = new TreeMap<>();
        if (!Files.isDirectory(NETNS_DIR)) {
            return byId;
        }
        try (var entries = Files.list(NETNS_DIR)) {
            for (Path p : entries.sorted().toList()) {
                Matcher m = OURS.matcher(p.getFileName().toString());
                if (m.matches()) {
                    byId.computeIfAbsent(m.group(1), k -> new ArrayList<>()).add(m.group());
                }
            }
        }
        // hosts first, the bridge last
        byId.values().forEach(l -> l.sort(Comparator.comparing((String n) -> n.endsWith("-br"))));
        return byId;
    }

    /** SIGKILL to every process in namespace {@code ns}, waiting (bounded) until they are gone. */
    static void killAll(String ns) throws IOException {
        for (int round = 0; round < 3; round++) {
            Shell.CommandResult r = Shell.run(List.of("ip", "netns", "pids", ns), false);
            List<ProcessHandle> left = r.output().lines().map(String::strip).filter(s -> s.matches("[0-9]+"))
                    .map(Long::parseLong).filter(pid -> pid != ProcessHandle.current().pid())
                    .flatMap(pid -> ProcessHandle.of(pid).stream()).toList();
            if (left.isEmpty()) {
                return;
            }
            left.forEach(ProcessHandle::destroyForcibly);
            for (ProcessHandle p : left) {
                try {
                    p.onExit().get(5, TimeUnit.SECONDS);
                } catch (Exception e) {
                    // checked again in the next round
                }
            }
        }
    }

    static String bridgeNamespace(String id) {
        return NetworkHosts.PREFIX + id + "-br";
    }

    static String hostNamespace(String id, int index) {
        return NetworkHosts.PREFIX + id + "-h" + index;
    }

    static Path shmRoot(String id) {
        return SHM.resolve(NetworkHosts.PREFIX + id);
    }

    static String newId() throws IOException {
        Map<String, List<String>> taken = ourNamespaces();
        for (int attempt = 0; attempt < 100; attempt++) {
            byte[] b = new byte[2];
            ThreadLocalRandom.current().nextBytes(b);
            String id = HexFormat.of().formatHex(b);
            if (!taken.containsKey(id) && !Files.exists(OWNERS.resolve(id))) {
                return id;
            }
        }
        throw new IOException("no free fixture id after 100 tries: delete stale ones with NetworkHosts delete-stale");
    }

    static long startMillis(ProcessHandle p) {
        return p.info().startInstant().map(java.time.Instant::toEpochMilli).orElse(0L);
    }
}
