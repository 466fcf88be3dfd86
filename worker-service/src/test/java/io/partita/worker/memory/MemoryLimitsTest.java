package io.partita.worker.memory;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class MemoryLimitsTest {
    private static final long GIB = 1L << 30;

    @Test
    void aContainerLimitWinsOverPhysicalMemoryAndIsShared() {
        assertThat(MemoryLimits.auto(Long.toString(4 * GIB) + "\n", null, 64 * GIB, 2)).isEqualTo(2 * GIB);
        assertThat(MemoryLimits.auto(null, Long.toString(8 * GIB), 64 * GIB, 1)).isEqualTo(8 * GIB);
    }

    @Test
    void noLimitMeansPhysicalMemory() {
        assertThat(MemoryLimits.auto("max\n", null, 16 * GIB, 4)).isEqualTo(4 * GIB);
        assertThat(MemoryLimits.auto(null, "9223372036854771712", 16 * GIB, 1)).isEqualTo(16 * GIB); // cgroup v1 "unlimited"
        assertThat(MemoryLimits.auto(null, null, 16 * GIB, 1)).isEqualTo(16 * GIB);
        assertThat(MemoryLimits.auto("garbage", null, 16 * GIB, 1)).isEqualTo(16 * GIB);
    }

    @Test
    void aContainerLimitAbovePhysicalMemoryIsIgnored() {
        assertThat(MemoryLimits.auto(Long.toString(128 * GIB), null, 16 * GIB, 1)).isEqualTo(16 * GIB);
    }

    @Test
    void readsThisMachine() {
        assertThat(MemoryLimits.auto(1)).isPositive();
    }
}
