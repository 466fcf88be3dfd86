package io.partita.worker;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;

/** Names for this process and machine: a unique worker id and a host id shared by workers on one machine. */
final class HostIdentity {
    private HostIdentity() {}

    static String hostname() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            String env = System.getenv("HOSTNAME");
            return env == null ? "localhost" : env;
        }
    }

    /**
     * The identity of the host this worker shares memory on: workers with the same one map each other's segments.
     * The hostname, plus /etc/machine-id when present (two containers with one hostname still differ), plus the
     * network namespace ({@code net<inode>} of {@code /proc/self/ns/net}).
     *
     * <p>Why the network namespace: a process in a network namespace of its own is another host to the network (its
     * own addresses, its own loopback), and usually also to memory (a Kubernetes pod, a container with its own
     * network, a test fixture's host, each with its own {@code /dev/shm}). Processes in one namespace are one host:
     * containers with host networking on one machine are all in the machine's namespace and so share a host id (their
     * hostname and machine-id permitting), as do the workers of one pod. The namespace is named by its inode, which
     * the kernel keeps for as long as the namespace lives (the machine's own one: until a reboot). It is always added,
     * not only outside the machine's own namespace, because telling which one that is needs {@code /proc/1/ns/net},
     * which a sandboxed root cannot always read; the grouping is the same either way. Where the link cannot be read
     * (not Linux), the suffix is left out.
     */
    static String hostId() {
        String base = hostname();
        try {
            Path machineId = Path.of("/etc/machine-id");
            if (Files.isReadable(machineId)) {
                String id = Files.readString(machineId).strip();
                if (!id.isEmpty()) {
                    base = base + "-" + id;
                }
            }
        } catch (IOException e) {
            // the hostname alone
        }
        String host = base;
        return networkNamespace(Path.of("/proc/self/ns/net")).map(n -> host + "-" + n).orElse(host);
    }

    /** {@code net<inode>} for a {@code /proc/PID/ns/net} link ({@code net:[4026531840]}); empty when unreadable. */
    static java.util.Optional<String> networkNamespace(Path link) {
        try {
            String target = Files.readSymbolicLink(link).toString();
            String inode = target.replaceAll("[^0-9]", "");
            return inode.isEmpty() ? java.util.Optional.empty() : java.util.Optional.of("net" + inode);
        } catch (IOException | RuntimeException e) {
            return java.util.Optional.empty();
        }
    }

    static String workerId(String name) {
        byte[] random = new byte[4];
        ThreadLocalRandom.current().nextBytes(random);
        return name.replaceAll("[^A-Za-z0-9_.-]", "_") + "-" + ProcessHandle.current().pid() + "-" + HexFormat.of().formatHex(random);
    }

    /** Resident memory of this process, from /proc; 0 where that is not available. */
    static long residentBytes() {
        try {
            String[] statm = Files.readString(Path.of("/proc/self/statm")).trim().split("\\s+");
            return Long.parseLong(statm[1]) * 4096;
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }
}
