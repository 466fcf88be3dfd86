package io.partita.worker.memory;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * When a worker spills, pauses and gives up (after Dask's worker memory management), as a pure function of sizes:
 * no clock, no I/O. All fractions are of {@code limit}; 0 turns that threshold off, and a limit of 0 turns them all off.
 *
 * <ul>
 *   <li>target: managed memory (heap tier + segments tier) above it spills least recently used keys until under it;</li>
 *   <li>spill: process memory above it spills until process memory is under the target (or the spill fraction
 *       when the target is off) or nothing spillable is left;</li>
 *   <li>pause: process memory above it starts no new tasks;</li>
 *   <li>terminate: process memory above it ends the process (the scheduler recomputes the keys elsewhere).</li>
 * </ul>
 */
public record MemoryPolicy(long limit, double target, double spill, double pause, double terminate) {
    public static final double DEFAULT_TARGET = 0.60;
    public static final double DEFAULT_SPILL = 0.70;
    public static final double DEFAULT_PAUSE = 0.80;
    public static final double DEFAULT_TERMINATE = 0.95;

    public MemoryPolicy {
        if (limit < 0) {
            throw new IllegalArgumentException("the memory limit must not be negative, got " + limit);
        }
        check("--memory-target-fraction", target);
        check("--memory-spill-fraction", spill);
        check("--memory-pause-fraction", pause);
        check("--memory-terminate-fraction", terminate);
    }

    public static MemoryPolicy defaults(long limit) {
        return new MemoryPolicy(limit, DEFAULT_TARGET, DEFAULT_SPILL, DEFAULT_PAUSE, DEFAULT_TERMINATE);
    }

    private static void check(String name, double fraction) {
        if (!(fraction >= 0 && fraction <= 1)) {
            throw new IllegalArgumentException(name + " must be between 0 (off) and 1, got " + fraction);
        }
    }

    /** A key that may be spilled and its size; the store lists them least recently used first. */
    public record Candidate(String key, long bytes) {}

    /** What to do now: spill these keys (in this order), pause or not, terminate or not. */
    public record Decision(List<String> spill, boolean pause, boolean terminate) {
        public static final Decision NONE = new Decision(List.of(), false, false);

        public Decision {
            spill = List.copyOf(spill);
        }
    }

    /**
     * @param managedBytes  bytes of stored values in memory: heap tier plus segments tier
     * @param processBytes  the process's memory as the limit sees it (resident memory plus the segments tier)
     * @param lruFirst      spillable keys (not in use, not spilled yet), least recently used first; asked for only
     *                      when something must be spilled (listing them sorts every stored key)
     */
    public Decision decide(long managedBytes, long processBytes, Supplier<List<Candidate>> lruFirst) {
        if (limit == 0) {
            return Decision.NONE;
        }
        long excess = 0;
        if (target > 0 && managedBytes > bytes(target)) {
            excess = managedBytes - bytes(target);
        }
        if (spill > 0 && processBytes > bytes(spill)) {
            excess = Math.max(excess, processBytes - bytes(target > 0 ? target : spill));
        }
        return new Decision(excess > 0 ? lruUntil(excess, lruFirst.get()) : List.of(), over(pause, processBytes),
                over(terminate, processBytes));
    }

    /**
     * Keys to spill <em>before</em> storing {@code incomingBytes} more (a task's table, a fetched or scattered key),
     * so that process memory after the write stays under the target fraction (the spill fraction when the target is
     * off): least recently used first until {@code processBytes + incomingBytes} fits, or every candidate when it
     * cannot fit. Empty when there is no limit, both fractions are off, or it already fits.
     *
     * @param processBytes the process's memory now (as in {@link #decide}), not counting the incoming bytes
     */
    public List<String> makeRoom(long incomingBytes, long processBytes, List<Candidate> lruFirst) {
        double fraction = target > 0 ? target : spill;
        if (limit == 0 || fraction == 0) {
            return List.of();
        }
        return lruUntil(processBytes + Math.max(0, incomingBytes) - bytes(fraction), lruFirst);
    }

    /** The least recently used keys whose sizes add up to at least {@code excess} (all of them when they do not). */
    private static List<String> lruUntil(long excess, List<Candidate> lruFirst) {
        List<String> keys = new ArrayList<>();
        long freed = 0;
        for (Candidate c : lruFirst) {
            if (freed >= excess) {
                break;
            }
            keys.add(c.key());
            freed += c.bytes();
        }
        return List.copyOf(keys);
    }

    /** The fraction's share of the limit, in bytes. */
    public long bytesOf(double fraction) {
        return bytes(fraction);
    }

    /** Whether {@code processBytes} is over the pause fraction (false when it is off). */
    public boolean paused(long processBytes) {
        return limit > 0 && over(pause, processBytes);
    }

    private boolean over(double fraction, long processBytes) {
        return fraction > 0 && processBytes > bytes(fraction);
    }

    private long bytes(double fraction) {
        return (long) (fraction * limit);
    }
}
