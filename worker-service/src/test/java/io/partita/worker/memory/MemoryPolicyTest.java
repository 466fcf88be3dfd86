package io.partita.worker.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.partita.worker.memory.MemoryPolicy.Candidate;
import java.util.List;
import org.junit.jupiter.api.Test;

class MemoryPolicyTest {
    private static final long LIMIT = 1_000;
    private final MemoryPolicy policy = MemoryPolicy.defaults(LIMIT);
    private final List<Candidate> lru = List.of(new Candidate("old", 100), new Candidate("mid", 100), new Candidate("new", 100));

    @Test
    void underEveryThresholdDoesNothing() {
        assertThat(policy.decide(600, 700, () -> lru)).isEqualTo(MemoryPolicy.Decision.NONE);
        // the candidates (a sort of every stored key) are not even listed
        assertThat(policy.decide(600, 700, () -> {
            throw new AssertionError("candidates listed with nothing to spill");
        })).isEqualTo(MemoryPolicy.Decision.NONE);
    }

    @Test
    void overTheTargetSpillsLeastRecentlyUsedUntilUnderIt() {
        MemoryPolicy.Decision d = policy.decide(750, 750, () -> lru); // 150 over the target of 600
        assertThat(d.spill()).containsExactly("old", "mid");
        assertThat(d.pause()).isFalse();
        assertThat(d.terminate()).isFalse();
    }

    @Test
    void processMemoryOverTheSpillFractionSpillsUntilUnderTheTarget() {
        // managed is under the target, but the process is at 720 > 700: spill until process <= 600
        assertThat(policy.decide(200, 720, () -> lru).spill()).containsExactly("old", "mid");
    }

    @Test
    void spillsNoMoreThanThereIs() {
        assertThat(policy.decide(5_000, 5_000, () -> lru).spill()).containsExactly("old", "mid", "new");
    }

    @Test
    void pausesOverThePauseFractionAndTerminatesOverTheTerminateFraction() {
        assertThat(policy.decide(0, 801, () -> List.of()).pause()).isTrue();
        assertThat(policy.decide(0, 801, () -> List.of()).terminate()).isFalse();
        assertThat(policy.decide(0, 951, () -> List.of()).terminate()).isTrue();
        assertThat(policy.paused(800)).isFalse();
        assertThat(policy.paused(801)).isTrue();
    }

    @Test
    void zeroTurnsAThresholdOffAndNoLimitTurnsAllOff() {
        MemoryPolicy noTarget = new MemoryPolicy(LIMIT, 0, 0.7, 0, 0);
        assertThat(noTarget.decide(990, 500, () -> lru).spill()).isEmpty();
        assertThat(noTarget.decide(0, 990, () -> lru).pause()).isFalse();
        assertThat(noTarget.decide(0, 990, () -> lru).terminate()).isFalse();
        assertThat(noTarget.decide(0, 750, () -> lru).spill()).containsExactly("old"); // down to the spill fraction
        assertThat(MemoryPolicy.defaults(0).decide(Long.MAX_VALUE, Long.MAX_VALUE, () -> lru)).isEqualTo(MemoryPolicy.Decision.NONE);
    }

    @Test
    void refusesFractionsOutsideZeroToOne() {
        assertThatThrownBy(() -> new MemoryPolicy(LIMIT, 1.5, 0.7, 0.8, 0.95))
                .hasMessageContaining("--memory-target-fraction");
        assertThatThrownBy(() -> new MemoryPolicy(LIMIT, 0.6, -0.1, 0.8, 0.95))
                .hasMessageContaining("--memory-spill-fraction");
    }

    @Test
    void makeRoomSpillsLeastRecentlyUsedUntilTheIncomingBytesFitUnderTheTarget() {
        assertThat(policy.makeRoom(100, 450, lru)).as("550 fits under 600").isEmpty();
        assertThat(policy.makeRoom(100, 600, lru)).as("700: 100 over").containsExactly("old");
        assertThat(policy.makeRoom(150, 600, lru)).as("750: 150 over").containsExactly("old", "mid");
        assertThat(policy.makeRoom(500, 900, lru)).as("cannot fit: everything").containsExactly("old", "mid", "new");
        assertThat(policy.makeRoom(500, 900, List.of())).isEmpty();
    }

    @Test
    void makeRoomUsesTheSpillFractionWhenTheTargetIsOffAndNothingWithoutALimit() {
        assertThat(new MemoryPolicy(LIMIT, 0, 0.7, 0.8, 0.95).makeRoom(100, 650, lru)).containsExactly("old");
        assertThat(new MemoryPolicy(LIMIT, 0, 0, 0.8, 0.95).makeRoom(100, 950, lru)).isEmpty();
        assertThat(MemoryPolicy.defaults(0).makeRoom(100, 5_000, lru)).isEmpty();
    }
}
