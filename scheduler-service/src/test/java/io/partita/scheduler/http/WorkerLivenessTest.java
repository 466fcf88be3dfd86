package io.partita.scheduler.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class WorkerLivenessTest {
    @Test
    void aWorkerSilentForLongerThanTheTimeoutIsDeclaredLostOnceAndToldToRestartWhenItComesBack() {
        WorkerLiveness liveness = new WorkerLiveness(5_000);
        liveness.heard("w1", 0);
        liveness.heard("w2", 0);
        liveness.heard("w2", 4_000);
        assertThat(liveness.overdue(5_000)).isEmpty(); // exactly the timeout: not yet
        assertThat(liveness.overdue(5_001)).containsExactly("w1");
        assertThat(liveness.overdue(6_000)).isEmpty(); // each once
        assertThat(liveness.declaredLost("w1")).isTrue();
        assertThat(liveness.declaredLost("w2")).isFalse();
        assertThat(liveness.overdue(9_001)).containsExactly("w2");
    }

    @Test
    void aWorkerThatLeftByItsConnectionIsNeitherOverdueNorLost() {
        WorkerLiveness liveness = new WorkerLiveness(1_000);
        liveness.heard("w1", 0);
        liveness.left("w1");
        assertThat(liveness.overdue(60_000)).isEmpty();
        assertThat(liveness.declaredLost("w1")).isFalse(); // it may reconnect and keep its keys
    }

    @Test
    void rememberedLostWorkersAreBounded() {
        WorkerLiveness liveness = new WorkerLiveness(1);
        liveness.heard("w0", 0);
        liveness.overdue(10); // w0 lost first
        for (int i = 1; i <= WorkerLiveness.REMEMBERED_LOST; i++) {
            liveness.heard("w" + i, 0);
        }
        assertThat(liveness.overdue(20)).hasSize(WorkerLiveness.REMEMBERED_LOST);
        assertThat(liveness.declaredLost("w0")).isFalse(); // the oldest forgotten
        assertThat(liveness.declaredLost("w" + WorkerLiveness.REMEMBERED_LOST)).isTrue();
    }

    @Test
    void aTimeoutMustBePositive() {
        assertThatThrownBy(() -> new WorkerLiveness(0)).hasMessageContaining("positive");
    }
}
