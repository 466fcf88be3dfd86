package io.partita.scheduler.failover;

import static org.assertj.core.api.Assertions.assertThat;

import io.partita.scheduler.failover.FailoverRole.Role;
import io.partita.scheduler.failover.FailoverRole.Step;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The failover role without a network: time and the cluster's answers are passed in. */
class FailoverRoleTest {
    private final FailoverRole role = new FailoverRole(10_000, 120_000);

    @Test
    void aSchedulerThatIsNotTheOldestStaysStandby() {
        assertThat(role.membershipChanged(false, 0)).isEmpty();
        assertThat(role.role()).isEqualTo(Role.STANDBY);
    }

    @Test
    void theOldestTakesOverReadsTheGraphsThenRecoversUntilItsWorkersAreBack() {
        assertThat(role.membershipChanged(true, 1_000)).containsExactly(new Step.LoadGraphs());
        assertThat(role.role()).isEqualTo(Role.TAKING_OVER);
        assertThat(role.membershipChanged(true, 1_001)).isEmpty(); // once
        assertThat(role.graphsLoaded(List.of("w1", "w2"), Set.of(), 1_200)).containsExactly(new Step.StartRecovery());
        assertThat(role.role()).isEqualTo(Role.RECOVERING);
        assertThat(role.tick("w1"::equals, c -> false, 1_300)).isEmpty();
        assertThat(role.tick(w -> true, c -> false, 1_500)).containsExactly(new Step.BecomeActive(2, 2, 500));
        assertThat(role.role()).isEqualTo(Role.ACTIVE);
        assertThat(role.waiting()).isFalse();
    }

    @Test
    void recoveryEndsAfterItsWaitWhenWorkersDoNotComeBack() {
        role.membershipChanged(true, 0);
        role.graphsLoaded(List.of("w1", "w2"), Set.of(), 100);
        assertThat(role.tick("w1"::equals, c -> false, 10_000)).isEmpty();
        assertThat(role.tick("w1"::equals, c -> false, 10_001)).containsExactly(new Step.BecomeActive(1, 2, 10_001));
    }

    @Test
    void clientsOfReplayedGraphsThatDoNotComeBackInTimeAreReleased() {
        role.membershipChanged(true, 0);
        role.graphsLoaded(List.of(), Set.of("back", "lost"), 0);
        assertThat(role.tick(w -> true, "back"::equals, 1)).containsExactly(new Step.BecomeActive(0, 0, 1));
        assertThat(role.waiting()).isTrue();
        assertThat(role.tick(w -> true, c -> false, 119_999)).isEmpty();
        assertThat(role.tick(w -> true, c -> false, 120_000)).containsExactly(new Step.ReleaseClient("lost"));
        assertThat(role.waiting()).isFalse();
    }
}
