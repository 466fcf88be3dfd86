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

    /** Below this a worker cannot hold its JVM, Arrow's buffers and a task's inputs: refused, not a late crash. */
    public static final long MINIMUM = 256L << 20;
    private static final java.util.regex.Pattern FRACTION = java.util.regex.Pattern.compile("0?\\.[0-9]+|1\\.0*");

    private MemoryLimits() {}

    /**
     * {@code --memory-limit} in bytes, as Dask reads it: {@code auto} (the machine's or container's memory divided
     * among {@code nworkers}), {@code 0} or {@code none} (no limit), a fraction such as {@code 0.5} (of the machine's
     * or container's memory), or a size such as {@code 4GiB}. A size under {@link #MINIMUM} or over
     * {@code machineBytes} is refused naming both numbers.
     *
     * @throws IllegalArgumentException saying what was wrong and what is accepted
     */
    public static long parse(String value, long machineBytes, int nworkers) {
        String v = value == null ? "auto" : value.strip().toLowerCase(java.util.Locale.ROOT);
        if (v.equals("auto")) {
            return Math.max(0, machineBytes) / Math.max(1, nworkers);
        }
        if (v.equals("none") || v.matches("0+")) {
            return 0;
        }
        long bytes;
        if (FRACTION.matcher(v).matches()) {
            double fraction = Double.parseDouble(v);
            if (fraction <= 0) {
                throw new IllegalArgumentException("--memory-limit " + value + ": a fraction of the memory must be above 0 "
                        + "(write 0 or none for no limit)");
            }
            bytes = (long) (fraction * machineBytes);
        } else {
            try {
                bytes = io.partita.common.config.ByteSize.parse(value);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--memory-limit must be auto, none (or 0), a fraction of the memory such "
                        + "as 0.5, or a size such as 4GiB, not '" + value + "': " + e.getMessage(), e);
            }
        }
        String machine = io.partita.common.config.ByteSize.format(machineBytes);
        if (bytes < MINIMUM) {
            throw new IllegalArgumentException("--memory-limit " + value + " is " + io.partita.common.config.ByteSize.format(bytes)
                    + ", below the " + io.partita.common.config.ByteSize.format(MINIMUM) + " a worker needs (its JVM, Arrow's "
                    + "buffers and a task's inputs); a bare number is bytes: write 4GiB, 0.5 (of " + machine + ") or none");
        }
        if (machineBytes > 0 && bytes > machineBytes) {
            throw new IllegalArgumentException("--memory-limit " + value + " is " + io.partita.common.config.ByteSize.format(bytes)
                    + ", more than the " + machine + " of this machine or container: the worker would never spill before "
                    + "the kernel kills it; give at most " + machine);
        }
        return bytes;
    }

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
