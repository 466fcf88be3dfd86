package io.partita.worker.memory;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code --memory-limit auto}: the container's memory limit (cgroup v2 {@code memory.max}, else cgroup v1
 * {@code memory.limit_in_bytes}) when one is set, else the machine's physical memory; divided among the workers.
 */
public final class MemoryLimits {
    /** cgroup v1 reports "no limit" as a huge number near Long.MAX_VALUE rounded to pages; anything this big is none. */
    static final long UNLIMITED_ABOVE = 1L << 60;
    static final Path CGROUP_V2 = Path.of("/sys/fs/cgroup/memory.max");
    static final Path CGROUP_V1 = Path.of("/sys/fs/cgroup/memory/memory.limit_in_bytes");

    private MemoryLimits() {}

    /** The limit for one of {@code nworkers} workers on this machine or container. */
    public static long auto(int nworkers) {
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        return auto(read(CGROUP_V2), read(CGROUP_V1), os.getTotalMemorySize(), nworkers);
    }

    /**
     * Pure form of {@link #auto(int)}: {@code cgroupV2} and {@code cgroupV1} are the files' contents (null when
     * absent). The smaller of a real container limit and physical memory wins.
     */
    static long auto(String cgroupV2, String cgroupV1, long physicalBytes, int nworkers) {
        long total = physicalBytes;
        Long container = parse(cgroupV2);
        if (container == null) {
            container = parse(cgroupV1);
        }
        if (container != null && (total <= 0 || container < total)) {
            total = container;
        }
        return Math.max(0, total) / Math.max(1, nworkers);
    }

    private static Long parse(String text) {
        if (text == null) {
            return null;
        }
        String s = text.strip();
        if (s.isEmpty() || s.equals("max")) {
            return null;
        }
        try {
            long v = Long.parseLong(s);
            return v <= 0 || v >= UNLIMITED_ABOVE ? null : v;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static String read(Path file) {
        try {
            return Files.isReadable(file) ? Files.readString(file) : null;
        } catch (IOException e) {
            return null;
        }
    }
}
