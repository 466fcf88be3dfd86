package io.partita.scheduler.state;

import static org.assertj.core.api.Assertions.assertThat;

import io.partita.common.protocol.ClientUpdate;
import io.partita.scheduler.state.Event.ClientConnected;
import io.partita.scheduler.state.Event.ClientDisconnected;
import io.partita.scheduler.state.Event.GraphPersisted;
import io.partita.scheduler.state.Event.GraphReplayed;
import io.partita.scheduler.state.Event.GraphSubmitted;
import io.partita.scheduler.state.Event.KeysReleased;
import io.partita.scheduler.state.Instruction.ForgetGraph;
import io.partita.scheduler.state.Instruction.PersistGraph;
import io.partita.scheduler.state.Instruction.SendToClient;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The state decides what is stored for a standby, and answers GraphAccepted only once it is stored. */
class GraphPersistenceTest extends StateHarness {
    private List<Instruction> raw(Event e) {
        List<Instruction> out = state.handle(e, now++);
        state.checkInvariants();
        return out;
    }

    private static boolean accepted(List<Instruction> out, long requestId) {
        return out.stream().anyMatch(i -> i instanceof SendToClient s && s.update() instanceof ClientUpdate.GraphAccepted a
                && a.requestId() == requestId);
    }

    @Test
    void aValidGraphIsStoredFirstAndAnsweredOnceStored() {
        raw(new ClientConnected(sid(), "c"));
        byte[] bytes = {1, 2, 3};
        List<Instruction> out = raw(new GraphSubmitted("submit-1", "c", 7, graph(List.of(task("a")), "a"), bytes));
        PersistGraph persist = out.stream().filter(PersistGraph.class::isInstance).map(PersistGraph.class::cast)
                .findFirst().orElseThrow();
        assertThat(persist.clientId()).isEqualTo("c");
        assertThat(persist.requestId()).isEqualTo(7);
        assertThat(persist.encoded()).isSameAs(bytes);
        assertThat(persist.stimulusId()).isEqualTo("submit-1");
        assertThat(accepted(out, 7)).isFalse();
        assertThat(accepted(raw(new GraphPersisted(sid(), "c", 7, null)), 7)).isTrue();
        assertThat(accepted(raw(new GraphPersisted(sid(), "c", 7, null)), 7)).isFalse(); // answered once
    }

    @Test
    void anInvalidGraphIsNeitherStoredNorRun() {
        raw(new ClientConnected(sid(), "c"));
        List<Instruction> out = raw(new GraphSubmitted(sid(), "c", 1, graph(List.of(task("a", "missing")), "a")));
        assertThat(out).noneMatch(PersistGraph.class::isInstance);
        assertThat(out).anyMatch(i -> i instanceof SendToClient s && s.update() instanceof ClientUpdate.RequestFailed);
        assertThat(state.taskCount()).isZero();
    }

    @Test
    void aGraphIsForgottenOnceEveryWantedReferenceIsReleased() {
        raw(new ClientConnected(sid(), "c"));
        raw(new GraphSubmitted(sid(), "c", 1, graph(List.of(task("a"), task("b")), "a", "b")));
        raw(new GraphPersisted(sid(), "c", 1, null));
        assertThat(raw(new KeysReleased(sid(), "c", List.of("a")))).noneMatch(ForgetGraph.class::isInstance);
        String release = sid();
        assertThat(raw(new KeysReleased(release, "c", List.of("b")))).contains(new ForgetGraph(release, "c", 1));
    }

    @Test
    void aGraphReleasedBeforeItWasStoredIsForgottenWhenTheStoreReports() {
        raw(new ClientConnected(sid(), "c"));
        raw(new GraphSubmitted(sid(), "c", 1, graph(List.of(task("a")), "a")));
        assertThat(raw(new KeysReleased(sid(), "c", List.of("a")))).noneMatch(ForgetGraph.class::isInstance);
        assertThat(raw(new GraphPersisted(sid(), "c", 1, null))).anyMatch(ForgetGraph.class::isInstance);
    }

    @Test
    void aClientThatLeavesTakesItsStoredGraphsWithIt() {
        raw(new ClientConnected(sid(), "c"));
        raw(new GraphSubmitted(sid(), "c", 1, graph(List.of(task("a")), "a")));
        raw(new GraphPersisted(sid(), "c", 1, null));
        raw(new GraphSubmitted(sid(), "c", 2, graph(List.of(task("b")), "b")));
        raw(new GraphPersisted(sid(), "c", 2, null));
        List<Instruction> out = raw(new ClientDisconnected(sid(), "c"));
        assertThat(out.stream().filter(ForgetGraph.class::isInstance).map(i -> ((ForgetGraph) i).requestId()))
                .containsExactlyInAnyOrder(1L, 2L);
    }

    @Test
    void aReplayedGraphIsNotStoredAgainAndItsResendIsAnsweredAtOnce() {
        raw(new Event.RecoveryStarted(sid()));
        List<Instruction> replay = raw(new GraphReplayed(sid(), "c", 3, graph(List.of(task("a")), "a")));
        assertThat(replay).noneMatch(PersistGraph.class::isInstance);
        raw(new Event.ClientResumed(sid(), "c"));
        List<Instruction> resent = raw(new GraphSubmitted(sid(), "c", 3, graph(List.of(task("a")), "a")));
        assertThat(resent).noneMatch(PersistGraph.class::isInstance);
        assertThat(accepted(resent, 3)).isTrue();
        assertThat(state.taskCount()).isEqualTo(1);
    }

    @Test
    void aGraphThatWantsNothingIsAnsweredAtOnceAndNotStored() {
        raw(new ClientConnected(sid(), "c"));
        List<Instruction> out = raw(new GraphSubmitted(sid(), "c", 1, graph(List.of(task("a")))));
        assertThat(out).noneMatch(PersistGraph.class::isInstance);
        assertThat(accepted(out, 1)).isTrue();
    }

    @Test
    void aClientWithTooManyGraphsWaitingToBeStoredIsToldToWait() {
        state = new SchedulerState("s", SchedulerLimits.defaults().withMaxPendingGraphs(2), sha -> false);
        raw(new ClientConnected(sid(), "c"));
        raw(new GraphSubmitted(sid(), "c", 1, graph(List.of(task("a")), "a")));
        raw(new GraphSubmitted(sid(), "c", 2, graph(List.of(task("b")), "b")));
        List<Instruction> out = raw(new GraphSubmitted(sid(), "c", 3, graph(List.of(task("c")), "c")));
        assertThat(out).anyMatch(i -> i instanceof SendToClient s && s.update() instanceof ClientUpdate.RequestFailed f
                && f.requestId() == 3 && f.error().contains("--max-pending-graphs 2"));
        assertThat(out).noneMatch(PersistGraph.class::isInstance);
        raw(new GraphPersisted(sid(), "c", 1, null));
        assertThat(raw(new GraphSubmitted(sid(), "c", 3, graph(List.of(task("c")), "c")))).anyMatch(PersistGraph.class::isInstance);
    }

    /** Found on a standby that took over: the tree's sums were replayed without the leaves they sum. */
    @Test
    void aGraphIsKeptWhileALaterGraphOfItsClientIsHeldAsThatOneMayTakeItsKeysAsInputs() {
        raw(new ClientConnected(sid(), "c"));
        raw(new GraphSubmitted(sid(), "c", 1, graph(List.of(task("leaf")), "leaf")));
        raw(new GraphPersisted(sid(), "c", 1, null));
        raw(new GraphSubmitted(sid(), "c", 2, graph(List.of(task("sum", "leaf")), "sum")));
        raw(new GraphPersisted(sid(), "c", 2, null));
        assertThat(raw(new KeysReleased(sid(), "c", List.of("leaf")))).noneMatch(ForgetGraph.class::isInstance);
        String release = sid();
        assertThat(raw(new KeysReleased(release, "c", List.of("sum"))))
                .containsSubsequence(new ForgetGraph(release, "c", 2), new ForgetGraph(release, "c", 1));
    }

    @Test
    void aReplayedGraphWhoseInputsWereNotStoredIsRefusedNotHalfAdded() {
        raw(new Event.RecoveryStarted(sid()));
        List<Instruction> out = raw(new GraphReplayed(sid(), "c", 2, graph(List.of(task("sum", "leaf")), "sum")));
        assertThat(out).anyMatch(i -> i instanceof SendToClient s && s.update() instanceof ClientUpdate.RequestFailed f
                && f.requestId() == 2 && f.error().contains("leaf"));
        assertThat(state.taskCount()).isZero();
    }
}
