package io.partita.worker.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
    void aFlagValueIsAutoNoneAFractionOrASizeAsInDask() {
        long machine = 16 * GIB;
        assertThat(MemoryLimits.parse("auto", machine, 4)).isEqualTo(4 * GIB);
        assertThat(MemoryLimits.parse(null, machine, 2)).isEqualTo(8 * GIB);
        assertThat(MemoryLimits.parse("0", machine, 1)).isZero();
        assertThat(MemoryLimits.parse("none", machine, 1)).isZero();
        assertThat(MemoryLimits.parse("0.5", machine, 1)).isEqualTo(8 * GIB);
        assertThat(MemoryLimits.parse(".25", machine, 3)).isEqualTo(4 * GIB);
    }

    @Test
    void aLimitBelowTheMinimumOrAboveTheMachineIsRefusedNamingBothNumbers() {
        long machine = 16 * GIB;
        assertThatThrownBy(() -> MemoryLimits.parse("100MiB", machine, 1)).hasMessageContaining("100.00 MiB")
                .hasMessageContaining("below the 256.00 MiB");
        assertThatThrownBy(() -> MemoryLimits.parse("4000", machine, 1)).hasMessageContaining("a bare number is bytes");
        assertThatThrownBy(() -> MemoryLimits.parse("32GiB", machine, 1)).hasMessageContaining("32.00 GiB")
                .hasMessageContaining("more than the 16.00 GiB");
        assertThatThrownBy(() -> MemoryLimits.parse("0.0", machine, 1)).hasMessageContaining("must be above 0");
        assertThatThrownBy(() -> MemoryLimits.parse("lots", machine, 1)).hasMessageContaining("auto, none (or 0), a fraction");
    }

    @Test
    void readsThisMachine() {
        assertThat(MemoryLimits.auto(1)).isPositive();
    }
}
