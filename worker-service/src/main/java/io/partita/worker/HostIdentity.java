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

    /** hostname plus /etc/machine-id when present, so two containers with one hostname still differ. */
    static String hostId() {
        try {
            Path machineId = Path.of("/etc/machine-id");
            if (Files.isReadable(machineId)) {
                String id = Files.readString(machineId).strip();
                if (!id.isEmpty()) {
                    return hostname() + "-" + id;
                }
            }
        } catch (IOException e) {
            // fall back to the hostname alone
        }
        return hostname();
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
