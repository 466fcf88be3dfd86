package io.partita.common.net;

import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
import org.slf4j.Logger;

/**
 * Retries an idempotent call between our processes when its connection fails (closed, reset, refused, timed out):
 * exponential back-off ({@link Backoff}), bounded by attempts and by a deadline; every failed attempt is logged with
 * its causes. A call that fails for a reason retrying cannot fix throws {@link Refused}, which is thrown at once.
 */
public final class Retry {
    /** Attempts, first back-off (doubled each time up to {@code maxBackoff}), and the time all attempts may take. */
    public record Policy(int maxAttempts, Duration firstBackoff, Duration maxBackoff, Duration deadline) {
        public Policy {
            if (maxAttempts < 1) {
                throw new IllegalArgumentException("maxAttempts must be at least 1: " + maxAttempts);
            }
        }

        /** The pauses between attempts: doubling from {@code firstBackoff} up to {@code maxBackoff}, within the deadline. */
        public Backoff backoff() {
            return Backoff.exponential(firstBackoff, maxBackoff.compareTo(firstBackoff) < 0 ? firstBackoff : maxBackoff)
                    .withMaxAttempts(maxAttempts).withDeadline(deadline);
        }

        /** For fetches between our processes: 6 attempts from 50 ms to 2 s apart, within 30 s. */
        public static Policy fetches() {
            return new Policy(6, Duration.ofMillis(50), Duration.ofSeconds(2), Duration.ofSeconds(30));
        }
    }

    /** A call that may be retried. */
    @FunctionalInterface
    public interface Call<T> {
        T run() throws IOException, InterruptedException;
    }

    /** A failure that retrying cannot fix (an HTTP 401, a 404, a digest mismatch): thrown at once. */
    public static final class Refused extends IOException {
        public Refused(String message) {
            super(message);
        }
    }

    private Retry() {}

    /**
     * Runs {@code call} until it succeeds, throws {@link Refused}, or the policy is used up; then throws the last
     * failure with the earlier ones as suppressed exceptions.
     *
     * @param what names the call in logs ("fetching artifact 1f3a... from http://10.0.0.1:8786")
     */
    public static <T> T call(String what, Policy policy, Logger log, Call<T> call) throws IOException, InterruptedException {
        Backoff.Attempts attempts = policy.backoff().start(System.nanoTime());
        IOException first = null;
        while (true) {
            try {
                return call.run();
            } catch (Refused e) {
                throw withEarlier(e, first);
            } catch (IOException e) {
                Optional<Duration> pause = attempts.next(System.nanoTime());
                int attempt = attempts.failed();
                if (pause.isEmpty()) {
                    log.warn("{} failed (attempt {} of {}), giving up: {}", what, attempt, policy.maxAttempts(),
                            Causes.describe(e));
                    throw withEarlier(e, first);
                }
                log.warn("{} failed (attempt {} of {}), retrying in {} ms: {}", what, attempt, policy.maxAttempts(),
                        pause.get().toMillis(), Causes.describe(e));
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
                Thread.sleep(pause.get()); // back-off between attempts, not a wait for an outcome
            }
        }
    }

    private static IOException withEarlier(IOException last, IOException earlier) {
        if (earlier != null && earlier != last) {
            last.addSuppressed(earlier);
        }
        return last;
    }
}
