package io.partita.common.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

/** The retry policy alone: time and randomness are passed in, nothing sleeps. */
class BackoffTest {
    private static final long MS = 1_000_000;

    @Test
    void delaysGrowByTheFactorAndAreCapped() {
        Backoff b = Backoff.exponential(Duration.ofMillis(100), Duration.ofSeconds(1));
        List<Long> ms = new ArrayList<>();
        for (int retry = 1; retry <= 7; retry++) {
            ms.add(b.delay(retry).toMillis());
        }
        assertThat(ms).containsExactly(100L, 200L, 400L, 800L, 1000L, 1000L, 1000L);
        assertThat(b.delay(0)).isEqualTo(Duration.ofMillis(100)); // before the first retry: the first pause
        assertThat(b.delay(10_000)).isEqualTo(Duration.ofSeconds(1)); // no overflow far out
        Backoff triple = new Backoff(Duration.ofMillis(10), 3, Duration.ofMillis(200), 0, Backoff.UNLIMITED, Duration.ofDays(1));
        assertThat(List.of(triple.delay(1), triple.delay(2), triple.delay(3), triple.delay(4)))
                .containsExactly(Duration.ofMillis(10), Duration.ofMillis(30), Duration.ofMillis(90), Duration.ofMillis(200));
    }

    @Test
    void jitterShortensEachPauseByAtMostItsFraction() {
        Backoff b = Backoff.exponential(Duration.ofMillis(100), Duration.ofSeconds(2)).withJitter(0.25);
        assertThat(b.delay(3, 0.0)).isEqualTo(Duration.ofMillis(400));
        assertThat(b.delay(3, 0.5)).isEqualTo(Duration.ofMillis(350));
        RandomGenerator random = new SplittableRandom(7);
        boolean varied = false;
        for (int i = 0; i < 1_000; i++) {
            int retry = 1 + i % 8;
            Duration d = b.delay(retry, random.nextDouble());
            Duration full = b.delay(retry);
            assertThat(d).isLessThanOrEqualTo(full).isGreaterThan(Duration.ofNanos((long) (full.toNanos() * 0.75) - 1));
            varied |= !d.equals(full);
        }
        assertThat(varied).isTrue();
        Backoff.Attempts attempts = b.start(0, new SplittableRandom(1));
        for (int i = 1; i <= 10; i++) {
            Duration pause = attempts.next(0).orElseThrow();
            assertThat(pause).isLessThanOrEqualTo(b.delay(i)).isGreaterThanOrEqualTo(Duration.ofNanos((long) (b.delay(i).toNanos() * 0.75)));
        }
    }

    @Test
    void noPauseEndsPastTheDeadline() {
        Backoff b = Backoff.exponential(Duration.ofMillis(100), Duration.ofSeconds(1)).withDeadline(Duration.ofSeconds(2));
        long start = 5_000 * MS; // any nanoTime reading
        Backoff.Attempts attempts = b.start(start);
        long now = start;
        List<Long> pauses = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            Optional<Duration> pause = attempts.next(now);
            if (pause.isEmpty()) {
                break;
            }
            pauses.add(pause.get().toMillis());
            now += pause.get().toNanos() + 10 * MS; // the pause, and a try that took 10 ms
        }
        assertThat(pauses).containsExactly(100L, 200L, 400L, 800L); // a fifth pause (1 s) would end at 2.54 s
        assertThat(now - start).isLessThanOrEqualTo(Duration.ofSeconds(2).toNanos());
        assertThat(attempts.failed()).isEqualTo(5);

        Backoff.Attempts once = Backoff.exponential(Duration.ofMillis(100), Duration.ofSeconds(1)).withDeadline(Duration.ZERO).start(start);
        assertThat(once.next(start)).isEmpty(); // a deadline of now: one try only
    }

    @Test
    void theDeadlineCanBeExtendedButNotShortened() {
        Backoff b = Backoff.exponential(Duration.ofMillis(100), Duration.ofSeconds(1)).withDeadline(Duration.ZERO);
        Backoff.Attempts attempts = b.start(0);
        attempts.extendDeadline(Duration.ofMillis(500));
        attempts.extendDeadline(Duration.ofMillis(50));
        assertThat(attempts.next(0)).contains(Duration.ofMillis(100));
        assertThat(attempts.next(100 * MS)).contains(Duration.ofMillis(200));
        assertThat(attempts.next(300 * MS)).isEmpty(); // 300 + 400 ms > 500 ms
    }

    @Test
    void attemptsAreBounded() {
        Backoff b = Backoff.exponential(Duration.ofMillis(10), Duration.ofMillis(10)).withMaxAttempts(3);
        Backoff.Attempts attempts = b.start(0);
        assertThat(attempts.next(0)).isPresent();
        assertThat(attempts.next(0)).isPresent();
        assertThat(attempts.next(0)).isEmpty(); // the third try failed: no fourth
    }

    @Test
    void badPoliciesAreRefused() {
        assertThatThrownBy(() -> Backoff.exponential(Duration.ofSeconds(2), Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("initial <= max");
        assertThatThrownBy(() -> Backoff.exponential(Duration.ofMillis(1), Duration.ofSeconds(1)).withJitter(1.5))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("jitter");
        assertThatThrownBy(() -> new Backoff(Duration.ofMillis(1), 0.5, Duration.ofSeconds(1), 0, 1, Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("factor");
        assertThatThrownBy(() -> Backoff.exponential(Duration.ofMillis(1), Duration.ofSeconds(1)).withMaxAttempts(0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxAttempts");
    }

    @Test
    void retryPoliciesKeepTheirPauses() {
        Backoff b = Retry.Policy.fetches().backoff();
        assertThat(List.of(b.delay(1), b.delay(2), b.delay(6), b.delay(7)))
                .containsExactly(Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(1600), Duration.ofSeconds(2));
        assertThat(b.maxAttempts()).isEqualTo(6);
        assertThat(b.deadline()).isEqualTo(Duration.ofSeconds(30));
    }
}
