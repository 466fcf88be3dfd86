package io.partita.scheduler.state;

import static org.assertj.core.api.Assertions.assertThat;

import io.partita.common.protocol.ClientUpdate;
import io.partita.common.protocol.WorkerCommand;
import io.partita.common.protocol.WorkerInfo;
import io.partita.common.protocol.WorkerReport.TaskDone;
import io.partita.common.protocol.WorkerReport.TaskFailed;
import io.partita.common.task.Arg;
import io.partita.common.task.FunctionSpec;
import io.partita.common.task.GraphSpec;
import io.partita.common.task.RemoteError;
import io.partita.common.task.TaskSpec;
import io.partita.scheduler.state.Event.*;
import io.partita.scheduler.state.Instruction.SendToClient;
import io.partita.scheduler.state.Instruction.SendToWorker;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SchedulerStateTest extends StateHarness {
    // ---- tests

    @Test
    void mapRunsOnWorkersAndReportsFinishedInOneBatch() {
        join("w1");
        join("w2");
        List<TaskSpec> tasks = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            tasks.add(task("inc-" + i));
        }
        List<Instruction> out = submit("c", graph(tasks, tasks.stream().map(TaskSpec::key).toArray(String[]::new)));
        assertThat(updates(out, ClientUpdate.GraphAccepted.class)).singleElement().extracting(ClientUpdate.GraphAccepted::tasks).isEqualTo(10);
        assertThat(executed(out, "w1")).hasSize(5);
        assertThat(executed(out, "w2")).hasSize(5);
        // each worker gets the function once per connection
        long withFunction = out.stream().filter(i -> i instanceof SendToWorker(_, String w, WorkerCommand.ExecuteTasks ex)
                && ex.functions().size() == 1).count();
        assertThat(withFunction).isEqualTo(2);
        List<Instruction> fin = done("w1", executed(out, "w1").toArray(String[]::new));
        assertThat(updates(fin, ClientUpdate.KeysFinished.class)).singleElement()
                .satisfies(k -> assertThat(k.keys()).hasSize(5));
        assertThat(state.stateOf("inc-0")).contains(TaskState.MEMORY);
    }

    @Test
    void tasksWaitForAWorker() {
        List<Instruction> out = submit("c", graph(List.of(task("a-1")), "a-1"));
        assertThat(executedAnywhere(out)).isEmpty();
        assertThat(executed(join("w1"), "w1")).containsExactly("a-1");
    }

    @Test
    void diamondRunsInOrderAndFreesIntermediates() {
        join("w1");
        List<Instruction> out = submit("c", graph(List.of(task("a-1"), task("b-1", "a-1"), task("c-1", "a-1"),
                task("d-1", "b-1", "c-1")), "d-1"));
        assertThat(executedAnywhere(out)).containsExactly("a-1");
        assertThat(executedAnywhere(done("w1", "a-1"))).containsExactlyInAnyOrder("b-1", "c-1");
        assertThat(executedAnywhere(done("w1", "b-1"))).isEmpty();
        out = done("w1", "c-1");
        assertThat(executedAnywhere(out)).containsExactly("d-1");
        assertThat(freed(out)).containsExactly("a-1");
        out = done("w1", "d-1");
        assertThat(freed(out)).containsExactlyInAnyOrder("b-1", "c-1");
        assertThat(updates(out, ClientUpdate.KeysFinished.class)).hasSize(1);
        // intermediates are kept as lineage only
        assertThat(state.stateOf("a-1")).contains(TaskState.RELEASED);
        // releasing the result forgets the whole graph
        out = on(new KeysReleased(sid(), "c", List.of("d-1")));
        assertThat(freed(out)).containsExactly("d-1");
        assertThat(state.taskCount()).isZero();
    }

    @Test
    void errorPropagatesToDependentsWithTheSameError() {
        join("w1");
        submit("c", graph(List.of(task("a-1"), task("b-1", "a-1"), task("c-1", "b-1")), "b-1", "c-1"));
        RemoteError boom = RemoteError.of("java.lang.RuntimeException", "boom", "a-1");
        List<Instruction> out = on(new TasksFailed(sid(), "w1", List.of(new TaskFailed("a-1", boom))));
        List<ClientUpdate.KeysErred> erred = updates(out, ClientUpdate.KeysErred.class);
        assertThat(erred).singleElement().satisfies(e -> {
            assertThat(e.keys()).extracting(ClientUpdate.KeyErred::key).containsExactlyInAnyOrder("b-1", "c-1");
            assertThat(e.keys()).allSatisfy(k -> assertThat(k.error()).isSameAs(boom));
        });
        // a resubmission of an erred key reports it at once
        out = submit("c2", graph(List.of(), "c-1"));
        assertThat(updates(out, ClientUpdate.KeysErred.class)).hasSize(1);
    }

    @Test
    void retriesRerunAFailedTask() {
        join("w1");
        TaskSpec t = new TaskSpec("r-1", F.id(), List.of(), 1, 0, Map.of(), List.of());
        submit("c", graph(List.of(t), "r-1"));
        RemoteError boom = RemoteError.of("X", "boom", "r-1");
        List<Instruction> out = on(new TasksFailed(sid(), "w1", List.of(new TaskFailed("r-1", boom))));
        assertThat(executedAnywhere(out)).containsExactly("r-1");
        out = on(new TasksFailed(sid(), "w1", List.of(new TaskFailed("r-1", boom))));
        assertThat(updates(out, ClientUpdate.KeysErred.class)).hasSize(1);
    }

    @Test
    void aTaskWhoseCodeAWorkerCannotFetchRunsOnAnotherAndErrsOnlyWhenEveryWorkerFailed() {
        join("w1");
        assertThat(executed(submit("c", graph(List.of(task("a-1")), "a-1")), "w1")).containsExactly("a-1");
        join("w2");
        join("w3");
        RemoteError noCode = RemoteError.of("io.partita.worker.code.CodeFetchException", "cannot fetch artifact", "a-1");
        List<Instruction> out = on(new TasksFailed(sid(), "w1", List.of(new TaskFailed("a-1", noCode, true))));
        assertThat(updates(out, ClientUpdate.KeysErred.class)).isEmpty();
        assertThat(executed(out, "w1")).isEmpty();
        String second = executed(out, "w2").isEmpty() ? "w3" : "w2";
        assertThat(executed(out, second)).containsExactly("a-1");
        out = on(new TasksFailed(sid(), second, List.of(new TaskFailed("a-1", noCode, true))));
        String third = second.equals("w2") ? "w3" : "w2";
        assertThat(executed(out, third)).containsExactly("a-1");
        out = on(new TasksFailed(sid(), third, List.of(new TaskFailed("a-1", noCode, true))));
        assertThat(executedAnywhere(out)).isEmpty();
        assertThat(updates(out, ClientUpdate.KeysErred.class)).singleElement()
                .satisfies(e -> assertThat(e.keys()).singleElement().satisfies(k -> assertThat(k.error()).isSameAs(noCode)));
    }

    @Test
    void resubmittingAFinishedKeyReportsItAtOnce() {
        join("w1");
        submit("c", graph(List.of(task("a-1")), "a-1"));
        done("w1", "a-1");
        List<Instruction> out = submit("c2", graph(List.of(task("a-1")), "a-1"));
        assertThat(executedAnywhere(out)).isEmpty();
        assertThat(updates(out, ClientUpdate.KeysFinished.class)).hasSize(1);
        on(new ClientDisconnected(sid(), "c"));
        assertThat(state.stateOf("a-1")).contains(TaskState.MEMORY);
        assertThat(freed(on(new ClientDisconnected(sid(), "c2")))).containsExactly("a-1");
    }

    @Test
    void lostKeysAreRecomputedFromLineage() {
        join("w1");
        submit("c", graph(List.of(task("a-1"), task("b-1", "a-1")), "b-1"));
        done("w1", "a-1");
        done("w1", "b-1");
        join("w2");
        List<Instruction> out = on(new WorkerLeft(sid(), "w1", "died"));
        assertThat(executed(out, "w2")).containsExactly("a-1");
        assertThat(executed(done("w2", "a-1"), "w2")).containsExactly("b-1");
        assertThat(updates(done("w2", "b-1"), ClientUpdate.KeysFinished.class)).hasSize(1);
    }

    @Test
    void processingTasksMoveToASurvivingWorker() {
        join("w1");
        submit("c", graph(List.of(task("a-1")), "a-1"));
        join("w2");
        assertThat(executed(on(new WorkerLeft(sid(), "w1", "died")), "w2")).containsExactly("a-1");
        assertThat(on(new WorkerLeft(sid(), "w1", "again"))).isEmpty();
    }

    @Test
    void taskThatKillsWorkersErsAsKilledWorker() {
        state = new SchedulerState("s1", SchedulerLimits.defaults().withAllowedFailures(1), sha -> true);
        submit("c", graph(List.of(task("k-1")), "k-1"));
        join("w1");
        on(new Event.TasksStarted(sid(), "w1", List.of("k-1")));
        on(new WorkerLeft(sid(), "w1", "died"));
        join("w2");
        on(new Event.TasksStarted(sid(), "w2", List.of("k-1")));
        List<Instruction> out = on(new WorkerLeft(sid(), "w2", "died"));
        List<ClientUpdate.KeysErred> erred = updates(out, ClientUpdate.KeysErred.class);
        assertThat(erred).singleElement().satisfies(e -> {
            assertThat(e.keys().getFirst().error().type()).isEqualTo("io.partita.KilledWorker");
            assertThat(e.keys().getFirst().error().message()).isEqualTo("task k-1 was running on 2 workers that died");
        });
    }

    @Test
    void onlyTasksThatWereRunningCountTowardsKilledWorker() {
        state = new SchedulerState("s1", SchedulerLimits.defaults().withAllowedFailures(0), sha -> true);
        submit("c", graph(List.of(task("q-1")), "q-1"));
        join("w1");
        // queued on w1 but never started: moved when w1 dies, not blamed
        on(new WorkerLeft(sid(), "w1", "died"));
        join("w2");
        assertThat(state.stateOf("q-1")).contains(TaskState.PROCESSING);
    }

    @Test
    void cancelFreesTheKeyAndWhatOnlyItNeeded() {
        join("w1");
        submit("c", graph(List.of(task("a-1"), task("b-1", "a-1")), "b-1"));
        List<Instruction> out = on(new CancelRequested(sid(), "c", 7, List.of("b-1")));
        assertThat(updates(out, ClientUpdate.KeysCancelled.class)).singleElement()
                .satisfies(k -> assertThat(k.requestId()).isEqualTo(7));
        assertThat(freed(out)).containsExactly("a-1");
        assertThat(state.taskCount()).isZero();
        // a late result of the cancelled task is freed on the worker
        assertThat(freed(done("w1", "a-1"))).containsExactly("a-1");
    }

    @Test
    void placementPrefersTheWorkerHoldingLargeInputs() {
        join("w1");
        join("w2");
        submit("c", graph(List.of(task("a-1")), "a-1"));
        on(new TasksFinished(sid(), "w1", List.of(new TaskDone("a-1", 500_000_000, "byte[]", 0, 100))));
        List<Instruction> out = submit("c", graph(List.of(task("b-1", "a-1"), task("b-2", "a-1")), "b-1", "b-2"));
        assertThat(executed(out, "w1")).containsExactlyInAnyOrder("b-1", "b-2");
    }

    @Test
    void executeTaskNamesTheDependenciesThatAreTables() {
        join("w1");
        submit("c", graph(List.of(task("t-1"), task("v-1")), "t-1", "v-1"));
        on(new TasksFinished(sid(), "w1", List.of(new TaskDone("t-1", 8_000_000, "io.partita.common.data.Partition", 0, 100),
                new TaskDone("v-1", 8, "Integer", 0, 100))));
        List<Instruction> out = submit("c", graph(List.of(task("u-1", "t-1", "v-1")), "u-1"));
        List<WorkerCommand.ExecuteTask> sent = new ArrayList<>();
        for (Instruction i : out) {
            if (i instanceof SendToWorker(_, String w, WorkerCommand.ExecuteTasks ex)) {
                sent.addAll(ex.tasks());
            }
        }
        assertThat(sent).singleElement().satisfies(t -> {
            assertThat(t.dependencies()).containsOnlyKeys("t-1", "v-1");
            assertThat(t.tables()).containsExactly("t-1");
        });
    }

    @Test
    void measuredBandwidthPricesMissingInputs() {
        for (String id : List.of("w1", "w2")) { // on different hosts: the input moves over the network
            on(new WorkerJoined(sid(), new WorkerInfo(id, id, "127.0.0.1", "host-" + id, "grpc+tcp://127.0.0.1:1", 0, 1,
                    0, Map.of(), 1, "", ""), List.of()));
        }
        submit("c", graph(List.of(task("a-1")), "a-1"));
        on(new TasksFinished(sid(), "w1", List.of(new TaskDone("a-1", 50_000_000, "byte[]", 0, 100))));
        List<TaskSpec> first = new ArrayList<>();
        List<TaskSpec> second = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            first.add(task("b-" + i, "a-1"));
            second.add(task("c-" + i, "a-1"));
        }
        // assumed 100 MB/s: 50 MB cost 0.5 s to move, more than 40 queued tasks of 1 ms, so all stay with the input
        List<Instruction> out = submit("c", graph(first, first.stream().map(TaskSpec::key).toArray(String[]::new)));
        assertThat(executed(out, "w1")).hasSize(40);
        // measured 10 GB/s: 5 ms to move, less than w1's queue, so w2 takes a share
        on(new BandwidthMeasured(sid(), 10e9));
        out = submit("c", graph(second, second.stream().map(TaskSpec::key).toArray(String[]::new)));
        assertThat(executed(out, "w2")).isNotEmpty();
    }

    @Test
    void restrictionsAndResourcesAreRespected() {
        join("w1");
        on(new WorkerJoined(sid(), new WorkerInfo("w2", "gpu", "127.0.0.1", "h", "grpc+tcp://127.0.0.1:2", 0, 4, 0,
                Map.of("GPU", 1.0), 2, "", ""), List.of()));
        TaskSpec g1 = new TaskSpec("g-1", F.id(), List.of(), 0, 0, Map.of("GPU", 1.0), List.of());
        TaskSpec g2 = new TaskSpec("g-2", F.id(), List.of(), 0, 0, Map.of("GPU", 1.0), List.of());
        TaskSpec n = new TaskSpec("n-1", F.id(), List.of(), 0, 0, Map.of(), List.of("w1-name"));
        List<Instruction> out = submit("c", graph(List.of(g1, g2, n), "g-1", "g-2", "n-1"));
        assertThat(executed(out, "w2")).containsExactly("g-1");
        assertThat(executed(out, "w1")).containsExactly("n-1");
        assertThat(executed(done("w2", "g-1"), "w2")).containsExactly("g-2");
    }

    /**
     * A restriction or resource no worker meets is not an error: the task waits, as in Dask's no-worker state, since
     * a worker that meets it may still join (a GPU node, a worker started by adaptive scaling).
     */
    @Test
    void aTaskNoWorkerCanRunWaitsForOneThatCan() {
        join("w1");
        TaskSpec g1 = new TaskSpec("g-1", F.id(), List.of(), 0, 0, Map.of("GPU", 1.0), List.of());
        TaskSpec named = new TaskSpec("n-1", F.id(), List.of(), 0, 0, Map.of(), List.of("gpu"));
        List<Instruction> out = submit("c", graph(List.of(g1, named), "g-1", "n-1"));
        assertThat(executedAnywhere(out)).isEmpty();
        assertThat(updates(out, ClientUpdate.KeysErred.class)).isEmpty();
        out = on(new WorkerJoined(sid(), gpuWorker("w2"), List.of()));
        assertThat(executed(out, "w2")).containsExactlyInAnyOrder("g-1", "n-1");
    }

    /**
     * A task every worker able to run it has refused (its code cannot be loaded there) errs, even while workers that
     * could never run it (no GPU) remain: waiting for them would wait for ever.
     */
    @Test
    void aTaskRefusedByEveryWorkerThatCouldRunItErrs() {
        join("w1");
        on(new WorkerJoined(sid(), gpuWorker("w2"), List.of()));
        TaskSpec g1 = new TaskSpec("g-1", F.id(), List.of(), 0, 0, Map.of("GPU", 1.0), List.of());
        assertThat(executed(submit("c", graph(List.of(g1), "g-1")), "w2")).containsExactly("g-1");
        RemoteError noCode = RemoteError.of("io.partita.worker.code.CodeFetchException", "cannot fetch artifact", "g-1");
        List<Instruction> out = on(new TasksFailed(sid(), "w2", List.of(new TaskFailed("g-1", noCode, true))));
        assertThat(executedAnywhere(out)).isEmpty();
        assertThat(updates(out, ClientUpdate.KeysErred.class)).singleElement()
                .satisfies(e -> assertThat(e.keys()).singleElement().satisfies(k -> assertThat(k.error()).isSameAs(noCode)));
    }

    private static WorkerInfo gpuWorker(String id) {
        return new WorkerInfo(id, "gpu", "127.0.0.1", "h", "grpc+tcp://127.0.0.1:2", 0, 4, 0, Map.of("GPU", 1.0),
                2, "", "");
    }

    @Test
    void higherPriorityIsSentFirst() {
        TaskSpec lo = new TaskSpec("lo-1", F.id(), List.of(), 0, 0, Map.of(), List.of());
        TaskSpec hi = new TaskSpec("hi-1", F.id(), List.of(), 0, 5, Map.of(), List.of());
        submit("c", graph(List.of(lo, hi), "lo-1", "hi-1"));
        assertThat(executed(join("w1"), "w1")).containsExactly("hi-1", "lo-1");
    }

    @Test
    void validationRefusesBadGraphsAndChangesNothing() {
        assertThat(failure(submit("c", graph(List.of(task("a-1"), task("a-1")), "a-1")))).contains("duplicate task key a-1");
        assertThat(failure(submit("c", new GraphSpec(List.of(), List.of(task("a-1")), List.of("a-1")))))
                .contains("task a-1 refers to function " + F.id());
        GraphSpec needsJar = new GraphSpec(List.of(G), List.of(TaskSpec.of("j-1", G.id(), List.of())), List.of("j-1"));
        assertThat(failure(submit("c", needsJar)))
                .isEqualTo("function g of task j-1 needs artifact " + SHA + " which was not uploaded: upload it first (POST /api/artifacts/" + SHA + ")");
        assertThat(failure(submit("c", graph(List.of(task("b-1", "zzz-1")), "b-1")))).startsWith("task b-1 depends on unknown key zzz-1");
        assertThat(failure(submit("c", graph(List.of(task("a-1", "b-1"), task("b-1", "a-1")), "a-1"))))
                .matches("graph has a cycle: (a-1 -> b-1 -> a-1|b-1 -> a-1 -> b-1)");
        assertThat(failure(submit("c", graph(List.of(task("s-1", "s-1")), "s-1")))).isEqualTo("graph has a cycle: s-1 -> s-1");
        List<TaskSpec> many = new ArrayList<>();
        for (int i = 0; i < 101; i++) {
            many.add(task("m-" + i));
        }
        assertThat(failure(submit("c", graph(many)))).contains("over the limit of 100");
        assertThat(state.taskCount()).isZero();
    }

    @Test
    void dependencyOnAHeldKeyIsAccepted() {
        join("w1");
        submit("c", graph(List.of(task("a-1")), "a-1"));
        done("w1", "a-1");
        List<Instruction> out = submit("c", graph(List.of(task("b-1", "a-1")), "b-1"));
        assertThat(executed(out, "w1")).containsExactly("b-1");
    }

    @Test
    void illegalTransitionFailsWithTheStory() {
        assertThat(TaskState.MEMORY.canMoveTo(TaskState.PROCESSING)).isFalse();
        IllegalTransitionException e = new IllegalTransitionException("x-1", TaskState.MEMORY, TaskState.PROCESSING, "s",
                List.of(new Transition("x-1", TaskState.PROCESSING, TaskState.MEMORY, "s0", 1)));
        assertThat(e.getMessage()).contains("x-1", "PROCESSING -> MEMORY");
        join("w1");
        submit("c", graph(List.of(task("a-1")), "a-1"));
        assertThat(state.story("a-1", 10)).extracting(Transition::to)
                .containsExactly(TaskState.RELEASED, TaskState.WAITING, TaskState.PROCESSING);
        assertThat(Set.copyOf(state.processingByWorker().values())).containsExactly(1);
    }
}
