package io.partita.worker.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class TransferStatsTest {
    @Test
    void smallFetchesMeasureTheRoundTripAndAreNotCounted() {
        TransferStats stats = new TransferStats();
        stats.fetchTimed(TransferStats.MIN_TIMED_BYTES - 1, 1_000);
        assertThat(stats.snapshot().fetchBytesPerSecond()).isZero();
    }

    @Test
    void largeFetchesMoveAMovingAverage() {
        TransferStats stats = new TransferStats();
        stats.fetchTimed(100_000_000, 1_000_000_000); // 100 MB/s
        assertThat(stats.snapshot().fetchBytesPerSecond()).isCloseTo(100e6, within(1.0));
        stats.fetchTimed(200_000_000, 1_000_000_000); // 200 MB/s moves it a fifth of the way
        assertThat(stats.snapshot().fetchBytesPerSecond()).isCloseTo(120e6, within(1.0));
    }
}
