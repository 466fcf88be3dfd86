package io.partita.common.net;

import java.time.Duration;
import java.util.Optional;
import java.util.random.RandomGenerator;

/**
 * How long to wait between tries of something that may start working later (a connection, a restart): the first
 * pause {@code initial}, each next one {@code factor} times longer, never longer than {@code max}; {@code jitter}
 * (0 to 1) shortens each pause by up to that fraction, at random, so that many processes retrying together spread out;
 * at most {@code maxAttempts} tries in all, and no pause that would end past {@code deadline} from the first try.
 * Pure: the caller passes the time and the randomness in, and does the waiting itself.
 */
public record Backoff(Duration initial, double factor, Duration max, double jitter, int maxAttempts, Duration deadline) {
    /** No bound on the number of tries. */
    public static final int UNLIMITED = Integer.MAX_VALUE;
    /** A deadline so far away that only the attempts bound the tries. */
    private static final Duration FOREVER = Duration.ofNanos(Long.MAX_VALUE / 4);

    public Backoff {
        if (initial.isNegative() || max.compareTo(initial) < 0) {
            throw new IllegalArgumentException("backoff needs 0 <= initial <= max: " + initial + ", " + max);
        }
        if (!(factor >= 1)) {
            throw new IllegalArgumentException("backoff factor must be at least 1: " + factor);
        }
        if (!(jitter >= 0 && jitter <= 1)) {
            throw new IllegalArgumentException("backoff jitter must be between 0 and 1: " + jitter);
        }
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be at least 1: " + maxAttempts);
        }
        if (deadline.isNegative()) {
            throw new IllegalArgumentException("deadline must not be negative: " + deadline);
        }
    }

    /** Doubling pauses from {@code initial} up to {@code max}, no jitter, tries unbounded until a deadline is set. */
    public static Backoff exponential(Duration initial, Duration max) {
        return new Backoff(initial, 2, max, 0, UNLIMITED, FOREVER);
    }

    public Backoff withDeadline(Duration d) {
        return new Backoff(initial, factor, max, jitter, maxAttempts, d);
    }

    public Backoff withMaxAttempts(int n) {
        return new Backoff(initial, factor, max, jitter, n, deadline);
    }

    public Backoff withJitter(double j) {
        return new Backoff(initial, factor, max, j, maxAttempts, deadline);
    }

    /**
     * The pause after the {@code retry}-th failed try (1 for the first; less counts as 1), before jitter:
     * {@code initial * factor^(retry-1)}, at most {@code max}.
     */
    public Duration delay(int retry) {
        double nanos = initial.toNanos() * Math.pow(factor, Math.max(0, retry - 1));
        return nanos >= max.toNanos() ? max : Duration.ofNanos((long) nanos);
    }

    /** {@link #delay(int)} shortened by {@code jitter * unitRandom} of it ({@code unitRandom} in [0, 1)). */
    public Duration delay(int retry, double unitRandom) {
        Duration d = delay(retry);
        return jitter == 0 ? d : Duration.ofNanos(d.toNanos() - (long) (d.toNanos() * jitter * unitRandom));
    }

    /** Starts counting tries whose first began at {@code nowNanos} (a {@link System#nanoTime()} reading). */
    public Attempts start(long nowNanos, RandomGenerator random) {
        return new Attempts(this, nowNanos, random);
    }

    /** {@link #start(long, RandomGenerator)} with the default random generator (it matters only with jitter). */
    public Attempts start(long nowNanos) {
        return start(nowNanos, RandomGenerator.getDefault());
    }

    /** The tries of one retry loop: ask {@link #next} after each failed try. Not thread-safe; one per loop. */
    public static final class Attempts {
        private final Backoff policy;
        private final long startNanos;
        private final RandomGenerator random;
        private long deadlineNanos;
        private int failed;

        private Attempts(Backoff policy, long startNanos, RandomGenerator random) {
            this.policy = policy;
            this.startNanos = startNanos;
            this.random = random;
            this.deadlineNanos = startNanos + policy.deadline.toNanos();
        }

        /**
         * Counts a failed try and returns the pause before the next one, or empty when there is to be no next one
         * (the attempts are used up, or the pause would end past the deadline).
         */
        public Optional<Duration> next(long nowNanos) {
            failed++;
            if (failed >= policy.maxAttempts) {
                return Optional.empty();
            }
            Duration pause = policy.delay(failed, random.nextDouble());
            return nowNanos + pause.toNanos() > deadlineNanos ? Optional.empty() : Optional.of(pause);
        }

        /** Tries that failed so far. */
        public int failed() {
            return failed;
        }

        /** Moves the deadline to at least {@code atLeast} after the first try (never earlier). */
        public void extendDeadline(Duration atLeast) {
            deadlineNanos = Math.max(deadlineNanos, startNanos + atLeast.toNanos());
        }
    }
}
