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
     * network namespace when this process is not in the one the machine's init runs in ({@code net-<inode>}).
     *
     * <p>Why the network namespace: a process in a network namespace of its own is another host to the network (its
     * own addresses, its own loopback), and usually also to memory (a Kubernetes pod, a container with its own
     * network, a test fixture's host, each with its own {@code /dev/shm}). Processes in one namespace are one host:
     * containers with host networking on one machine are in the machine's namespace and so share a host id (their
     * hostname and machine-id permitting), as do the workers of one pod. Where {@code /proc/1/ns/net} cannot be
     * read (not root, another user's init), no suffix is added.
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
        return networkNamespaceSuffix(Path.of("/proc/self/ns/net"), Path.of("/proc/1/ns/net")).map(n -> host + "-" + n).orElse(host);
    }

    /**
     * {@code net-<inode>} when {@code self} (a {@code /proc/PID/ns/net} link) names another network namespace than
     * {@code init}; empty when they are the same or either cannot be read.
     */
    static java.util.Optional<String> networkNamespaceSuffix(Path self, Path init) {
        try {
            String mine = Files.readSymbolicLink(self).toString();   // net:[4026531840]
            String initial = Files.readSymbolicLink(init).toString();
            if (mine.equals(initial)) {
                return java.util.Optional.empty();
            }
            return java.util.Optional.of("net-" + mine.replaceAll("[^0-9]", ""));
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
