package io.partita.scheduler.state;

import static org.assertj.core.api.Assertions.assertThat;

import io.partita.common.protocol.ClientRequest.ScatteredKey;
import io.partita.common.protocol.ClientUpdate;
import io.partita.common.protocol.WorkerCommand;
import io.partita.common.task.GraphSpec;
import io.partita.common.task.RemoteError;
import io.partita.scheduler.state.Event.*;
import io.partita.scheduler.state.Instruction.SendToWorker;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Scattered data: values a client put on a worker, registered straight into memory, without lineage. */
class ScatteredDataTest extends StateHarness {
    static final String PARTITION = "io.partita.common.data.Partition";

    List<Instruction> scatter(String client, long requestId, String worker, String... keys) {
        return on(new DataScattered(sid(), client, requestId, worker,
                Arrays.stream(keys).map(k -> new ScatteredKey(k, 64, PARTITION)).toList()));
    }

    static List<ClientUpdate.KeyErred> erred(List<Instruction> out) {
        return updates(out, ClientUpdate.KeysErred.class).stream().flatMap(e -> e.keys().stream()).toList();
    }

    @Test
    void scatteredKeysAreAcceptedInMemoryOnTheirWorkerAndReportedFinished() {
        join("w1");
        List<Instruction> out = scatter("c", 5, "w1", "scatter-1", "scatter-2");
        assertThat(updates(out, ClientUpdate.GraphAccepted.class)).singleElement()
                .isEqualTo(new ClientUpdate.GraphAccepted(5, 2));
        assertThat(updates(out, ClientUpdate.KeysFinished.class)).singleElement().satisfies(f -> {
            assertThat(f.keys()).extracting(ClientUpdate.KeyFinished::key).containsExactly("scatter-1", "scatter-2");
            assertThat(f.keys().getFirst().type()).isEqualTo(PARTITION);
            assertThat(f.keys().getFirst().nbytes()).isEqualTo(64);
            assertThat(f.keys().getFirst().holders()).extracting(a -> a.workerId()).containsExactly("w1");
        });
        assertThat(executed(out, "w1")).isEmpty();
        assertThat(state.stateOf("scatter-1")).contains(TaskState.MEMORY);
        assertThat(state.holders(List.of("scatter-2"))).containsOnlyKeys("scatter-2");
    }

    @Test
    void refusalsNameTheProblemChangeNothingAndFreeWhatTheWorkerWasGiven() {
        join("w1");
        assertThat(failure(scatter("c", 1, "w9", "scatter-1")))
                .startsWith("worker w9 is not connected to this scheduler");
        List<Instruction> dup = scatter("c", 2, "w1", "scatter-1", "scatter-1");
        assertThat(failure(dup)).contains("scattered twice");
        assertThat(freed(dup)).containsExactly("scatter-1");

        submit("c", graph(List.of(task("a-1")), "a-1"));
        assertThat(failure(scatter("c", 3, "w1", "a-1"))).contains("already names the result of a task");

        scatter("c", 4, "w1", "scatter-1");
        List<Instruction> other = on(new DataScattered(sid(), "c", 5, "w1", List.of(new ScatteredKey("scatter-1", 9, "java.lang.String"))));
        assertThat(failure(other)).contains("scatter-1 already exists with other data");
        assertThat(freed(other)).isEmpty(); // the scheduler's copy on w1 stays counted on
        assertThat(state.stateOf("scatter-1")).contains(TaskState.MEMORY);
        assertThat(state.taskCount()).isEqualTo(2);
    }

    @Test
    void tasksDependOnScatteredKeysAndReleasingThemFreesTheWorker() {
        join("w1");
        join("w2");
        scatter("c", 1, "w2", "scatter-1");
        List<Instruction> out = submit("c", graph(List.of(task("b-1", "scatter-1")), "b-1"));
        assertThat(executed(out, "w2")).containsExactly("b-1"); // placed where its input is
        out.stream().filter(i -> i instanceof SendToWorker(_, String w, WorkerCommand.ExecuteTasks ex)).forEach(i -> {
            var ex = (WorkerCommand.ExecuteTasks) ((SendToWorker) i).command();
            assertThat(ex.tasks().getFirst().dependencies().get("scatter-1")).extracting(a -> a.workerId()).containsExactly("w2");
        });
        assertThat(freed(on(new KeysReleased(sid(), "c", List.of("scatter-1"))))).isEmpty(); // b-1 still needs it
        assertThat(freed(done("w2", "b-1"))).containsExactly("scatter-1");
        assertThat(state.stateOf("scatter-1")).contains(TaskState.RELEASED); // b-1's lineage, though it has no value
        assertThat(freed(on(new ClientDisconnected(sid(), "c")))).containsExactly("b-1");
        assertThat(state.taskCount()).isZero();
    }

    @Test
    void aScatteredKeyWhoseOnlyHolderDiesErsWithItsDependentsAsLostData() {
        join("w1");
        join("w2");
        scatter("c", 1, "w1", "scatter-1");
        submit("c", graph(List.of(task("b-1", "scatter-1"), task("d-1", "b-1")), "d-1"));
        List<Instruction> out = on(new WorkerLeft(sid(), "w1", "died"));
        assertThat(executed(out, "w2")).isEmpty();
        List<ClientUpdate.KeyErred> erred = erred(out);
        assertThat(erred).extracting(ClientUpdate.KeyErred::key).containsExactlyInAnyOrder("scatter-1", "d-1"); // what c references
        RemoteError error = erred.getFirst().error();
        assertThat(error.type()).isEqualTo(SchedulerState.LOST_DATA);
        assertThat(error.originKey()).isEqualTo("scatter-1");
        assertThat(error.message()).isEqualTo("the scattered value of scatter-1 was held only by worker w1 and was lost"
                + " (the worker left); scattered data has no lineage to recompute it from: scatter it again");
        assertThat(erred).allSatisfy(e -> assertThat(e.error()).isEqualTo(error));
        on(new KeysReleased(sid(), "c", List.of("scatter-1", "d-1")));
        assertThat(state.taskCount()).isZero();
    }

    @Test
    void aSecondHolderKeepsScatteredDataAliveAndANewGraphOnLostDataErsAtOnce() {
        join("w1");
        join("w2");
        scatter("c", 1, "w1", "scatter-1");
        scatter("c2", 2, "w2", "scatter-1"); // the same value put on w2 too: a replica, and a reference of c2
        assertThat(erred(on(new WorkerLeft(sid(), "w2", "died")))).isEmpty();
        assertThat(state.holders(List.of("scatter-1")).get("scatter-1")).extracting(a -> a.workerId()).containsExactly("w1");

        List<Instruction> out = on(new WorkerLeft(sid(), "w1", "died"));
        assertThat(erred(out)).extracting(ClientUpdate.KeyErred::key).containsExactly("scatter-1", "scatter-1"); // c and c2
        join("w3");
        List<Instruction> late = submit("c", graph(List.of(task("b-1", "scatter-1")), "b-1"));
        assertThat(executed(late, "w3")).isEmpty();
        assertThat(erred(late)).singleElement().satisfies(e -> assertThat(e.error().type()).isEqualTo(SchedulerState.LOST_DATA));
        assertThat(failure(scatter("c", 3, "w3", "scatter-1"))).contains("now ERRED");
    }

    @Test
    void aLostResultOfReleasedScatteredDataCannotBeRecomputed() {
        join("w1");
        scatter("c", 1, "w1", "scatter-1");
        submit("c", graph(List.of(task("b-1", "scatter-1")), "b-1"));
        done("w1", "b-1");
        assertThat(freed(on(new KeysReleased(sid(), "c", List.of("scatter-1"))))).containsExactly("scatter-1");
        assertThat(state.stateOf("scatter-1")).contains(TaskState.RELEASED); // kept as b-1's lineage
        join("w2");
        List<Instruction> out = on(new WorkerLeft(sid(), "w1", "died"));
        assertThat(executed(out, "w2")).isEmpty();
        assertThat(erred(out)).singleElement().satisfies(e -> {
            assertThat(e.key()).isEqualTo("b-1");
            assertThat(e.error().message()).startsWith("the scattered value of scatter-1 is no longer held (it was released)");
        });
    }

    @Test
    void aFailedFetchOfTheOnlyCopyErsItNamingTheHolder() {
        join("w1");
        join("w2");
        scatter("c", 1, "w1", "scatter-1");
        // b-1 is restricted to w2, so w2 fetches scatter-1 from w1
        submit("c", new GraphSpec(List.of(SchedulerStateTest.F), List.of(new io.partita.common.task.TaskSpec("b-1",
                SchedulerStateTest.F.id(), List.of(new io.partita.common.task.Arg.Ref("scatter-1")), 0, 0, Map.of(), List.of("w2"))),
                List.of("b-1")));
        List<Instruction> out = on(new FetchFailed(sid(), "w2", "b-1", "scatter-1", "w1", "connection refused"));
        assertThat(erred(out)).extracting(ClientUpdate.KeyErred::key).containsExactlyInAnyOrder("scatter-1", "b-1");
        assertThat(erred(out).getFirst().error().message()).contains("held only by worker w1 and was lost (worker w2 could not"
                + " fetch it from there: connection refused)");
        assertThat(freed(out)).contains("scatter-1");
    }
}
