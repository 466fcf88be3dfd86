package io.partita.scheduler.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.partita.common.protocol.ClientUpdate;
import io.partita.common.protocol.ClientUpdate.KeyErred;
import io.partita.common.protocol.ClientUpdate.KeyFinished;
import io.partita.common.task.RemoteError;
import io.partita.scheduler.metrics.GraphTracker.Outcome;
import java.util.List;
import org.junit.jupiter.api.Test;

class GraphTrackerTest {
    private final GraphTracker graphs = new GraphTracker();

    private static ClientUpdate finished(String... keys) {
        return new ClientUpdate.KeysFinished(List.of(keys).stream().map(k -> new KeyFinished(k, List.of(), "", 8)).toList());
    }

    private static ClientUpdate erred(String key) {
        return new ClientUpdate.KeysErred(List.of(new KeyErred(key, new RemoteError("E", "boom", "", null, key))));
    }

    @Test
    void aGraphFinishesWhenEveryWantedKeyEndedAndOnlyOnce() {
        graphs.submitted("c1", 1, List.of("a", "b", "b"));
        graphs.told("c1", new ClientUpdate.GraphAccepted(1, 3));
        assertThat(graphs.accepted()).isEqualTo(1);
        graphs.told("c1", finished("a"));
        assertThat(graphs.open()).isEqualTo(1);
        graphs.told("c1", finished("b"));
        graphs.told("c1", finished("b")); // recomputed after a worker loss: told again
        assertThat(graphs.finished(Outcome.MEMORY)).isEqualTo(1);
        assertThat(graphs.open()).isZero();
    }

    @Test
    void keysReportedBeforeTheAcceptanceStillCount() {
        graphs.submitted("c1", 7, List.of("a"));
        graphs.told("c1", finished("a")); // the outbox sends key updates after direct messages, but be safe
        assertThat(graphs.finished(Outcome.MEMORY)).isZero();
        graphs.told("c1", new ClientUpdate.GraphAccepted(7, 1));
        assertThat(graphs.finished(Outcome.MEMORY)).isEqualTo(1);
    }

    @Test
    void theFirstFailedKeyDecidesTheOutcome() {
        graphs.submitted("c1", 1, List.of("a", "b", "c"));
        graphs.told("c1", new ClientUpdate.GraphAccepted(1, 3));
        graphs.told("c1", erred("a"));
        graphs.told("c1", new ClientUpdate.KeysCancelled(0, List.of("b"), "cancelled by the client"));
        graphs.told("c1", finished("c"));
        assertThat(graphs.finished(Outcome.ERRED)).isEqualTo(1);
        assertThat(graphs.finished(Outcome.CANCELLED)).isZero();
    }

    @Test
    void aKeySharedByTwoGraphsOfOneClientEndsBoth() {
        graphs.submitted("c1", 1, List.of("shared"));
        graphs.submitted("c1", 2, List.of("shared", "own"));
        graphs.told("c1", new ClientUpdate.GraphAccepted(1, 1));
        graphs.told("c1", new ClientUpdate.GraphAccepted(2, 2));
        graphs.told("c1", finished("shared"));
        assertThat(graphs.finished(Outcome.MEMORY)).isEqualTo(1);
        graphs.told("c1", finished("own"));
        assertThat(graphs.finished(Outcome.MEMORY)).isEqualTo(2);
    }

    @Test
    void anotherClientsKeysDoNotCount() {
        graphs.submitted("c1", 1, List.of("a"));
        graphs.told("c1", new ClientUpdate.GraphAccepted(1, 1));
        graphs.told("c2", finished("a"));
        assertThat(graphs.open()).isEqualTo(1);
    }

    @Test
    void aRefusedGraphIsCountedAndForgotten() {
        graphs.submitted("c1", 1, List.of("a"));
        graphs.submitted("c1", 2, List.of("a"));
        graphs.told("c1", new ClientUpdate.RequestFailed(1, "cycle"));
        assertThat(graphs.refused()).isEqualTo(1);
        assertThat(graphs.open()).isEqualTo(1);
        graphs.told("c1", new ClientUpdate.GraphAccepted(2, 1));
        graphs.told("c1", finished("a"));
        assertThat(graphs.finished(Outcome.MEMORY)).isEqualTo(1);
        assertThat(graphs.accepted()).isEqualTo(1);
    }

    @Test
    void aClientLeavingDropsItsOpenGraphs() {
        graphs.submitted("c1", 1, List.of("a"));
        graphs.told("c1", new ClientUpdate.GraphAccepted(1, 1));
        graphs.clientGone("c1");
        assertThat(graphs.open()).isZero();
        graphs.told("c1", finished("a"));
        assertThat(graphs.finished(Outcome.MEMORY)).isZero();
    }
}
