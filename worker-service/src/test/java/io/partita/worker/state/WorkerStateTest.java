package io.partita.worker.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.partita.common.protocol.WorkerAddress;
import io.partita.common.protocol.WorkerCommand.ExecuteTask;
import io.partita.common.task.Arg;
import io.partita.common.task.RemoteError;
import io.partita.worker.state.Instruction.Drop;
import io.partita.worker.state.Instruction.Execute;
import io.partita.worker.state.Instruction.FetchInputs;
import io.partita.worker.state.Instruction.ReportDone;
import io.partita.worker.state.Instruction.ReportFailed;
import io.partita.worker.state.Instruction.ReportFetchFailed;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class WorkerStateTest {
    private static final WorkerAddress A = new WorkerAddress("a", "h1", "grpc+tcp://127.0.0.1:1", "", "", "");
    private static final WorkerAddress B = new WorkerAddress("b", "h1", "grpc+tcp://127.0.0.1:2", "", "", "");

    private WorkerState state = new WorkerState("self", 2);

    @AfterEach
    void invariants() {
        state.checkInvariants();
    }

    private static ExecuteTask task(String key, int priority, String... deps) {
        List<Arg> args = Arrays.stream(deps).<Arg>map(Arg.Ref::new).toList();
        Map<String, List<WorkerAddress>> holders = new java.util.HashMap<>();
        for (String d : deps) {
            holders.put(d, List.of(A, B));
        }
        return new ExecuteTask(key, "fn", args, holders, priority, 0);
    }

    private List<Instruction> assign(ExecuteTask... tasks) {
        return state.handle(new WorkerEvent.TasksAssigned("s", List.of(tasks)));
    }

    private List<Instruction> complete(String key) {
        return state.handle(new WorkerEvent.TaskCompleted("s", key, 8, "java.lang.Integer", 0, 1));
    }

    private static List<String> executed(List<Instruction> out) {
        return out.stream().filter(Execute.class::isInstance).map(i -> ((Execute) i).task().key()).toList();
    }

    @Test
    void runsAtMostNthreadsAndHighestPriorityFirst() {
        List<Instruction> out = assign(task("low", 0), task("high", 5), task("mid", 1), task("low2", 0));
        assertThat(executed(out)).containsExactly("high", "mid");
        assertThat(state.running()).isEqualTo(2);
        assertThat(state.queued()).isEqualTo(2);

        out = complete("high");
        assertThat(out.getFirst()).isInstanceOf(ReportDone.class);
        assertThat(executed(out)).containsExactly("low"); // FIFO among equal priorities
        assertThat(executed(complete("mid"))).containsExactly("low2");
        complete("low");
        complete("low2");
        assertThat(state.running()).isZero();
        assertThat(state.holds("low2")).isTrue();
    }

    @Test
    void atEqualPriorityTheSchedulersOrderDecides() {
        state = new WorkerState("self", 1);
        ExecuteTask first = new ExecuteTask("leaf-3", "fn", List.of(), Map.of(), 0, 3);
        ExecuteTask second = new ExecuteTask("sum-12", "fn", List.of(), Map.of(), 0, 2);
        ExecuteTask running = new ExecuteTask("leaf-1", "fn", List.of(), Map.of(), 0, 0);
        assertThat(executed(assign(running, first, second))).containsExactly("leaf-1");
        List<Instruction> out = state.handle(new WorkerEvent.TaskCompleted("d", "leaf-1", 8, "Integer", 0, 10));
        assertThat(executed(out)).containsExactly("sum-12");
    }

    @Test
    void aStealGivesBackQueuedAndFetchingTasksAndKeepsRunningOnes() {
        state = new WorkerState("self", 1);
        assign(task("run", 1), task("queued", 0), task("fetching", 0, "x"));
        List<Instruction> out = state.handle(new WorkerEvent.StealRequested("st", List.of("run", "queued", "fetching", "gone")));
        assertThat(out).filteredOn(Instruction.ReportStealResponse.class::isInstance).singleElement()
                .isInstanceOfSatisfying(Instruction.ReportStealResponse.class, r -> {
                    assertThat(r.response().released()).containsExactly("queued", "fetching");
                    assertThat(r.response().kept()).containsExactly("run", "gone");
                });
        assertThat(state.state("queued")).isNull();
        assertThat(state.state("fetching")).isNull();
        assertThat(state.state("run")).isEqualTo(TaskState.EXECUTING);
        // the fetched input of a stolen task arrives anyway: nothing waits for it, so it is dropped
        List<Instruction> late = state.handle(new WorkerEvent.InputsFetched("f", "a", Set.of("x")));
        assertThat(late).filteredOn(Drop.class::isInstance).hasSize(1);
    }

    @Test
    void fetchesEachMissingKeyOnceAndBatchesByHolder() {
        List<Instruction> out = assign(task("t1", 0, "x", "y"), task("t2", 0, "x"));
        assertThat(out).singleElement().isInstanceOfSatisfying(FetchInputs.class, f -> {
            assertThat(f.holder()).isEqualTo(A);
            assertThat(f.keys()).containsExactlyInAnyOrder("x", "y");
        });
        out = state.handle(new WorkerEvent.InputsFetched("f", "a", Set.of("x")));
        assertThat(executed(out)).containsExactly("t2");
        out = state.handle(new WorkerEvent.InputsFetched("f", "a", Set.of("y")));
        assertThat(executed(out)).containsExactly("t1");
        // copies are held but not in their own right: a scheduler this worker registers with is not told of them
        assertThat(state.holds("x")).isTrue();
        assertThat(state.keysInOwnRight()).isEmpty();
        complete("t2");
        out = complete("t1");
        // the fetched copies are dropped once no task here needs them: the scheduler does not know about them
        assertThat(out).filteredOn(Drop.class::isInstance).hasSize(2);
    }

    @Test
    void aFetchSaysWhichKeysTheSchedulerKnowsToBeTables() {
        ExecuteTask t = new ExecuteTask("t1", "fn", List.of(new Arg.Ref("x"), new Arg.Ref("y")),
                Map.of("x", List.of(A), "y", List.of(A)), 0, 0, Set.of("x"));
        assertThat(assign(t)).singleElement().isInstanceOfSatisfying(FetchInputs.class, f -> {
            assertThat(f.keys()).containsExactlyInAnyOrder("x", "y");
            assertThat(f.tables()).containsExactly("x");
        });
    }

    @Test
    void triesTheNextHolderThenDropsTheTask() {
        assign(task("t", 0, "x"));
        List<Instruction> out = state.handle(new WorkerEvent.FetchFailed("f", "a", Set.of("x"), "refused"));
        assertThat(out).singleElement().isInstanceOfSatisfying(FetchInputs.class, f -> assertThat(f.holder()).isEqualTo(B));
        out = state.handle(new WorkerEvent.FetchFailed("f", "b", Set.of("x"), "gone"));
        assertThat(out).singleElement().isInstanceOfSatisfying(ReportFetchFailed.class, f -> {
            assertThat(f.failed().key()).isEqualTo("t");
            assertThat(f.failed().dependency()).isEqualTo("x");
            assertThat(f.failed().holderWorkerId()).isEqualTo("b");
        });
        assertThat(state.state("t")).isNull();
        assertThat(state.story("t")).extracting(WorkerState.Transition::to)
                .containsExactly(TaskState.FETCHING, TaskState.DROPPED);
    }

    @Test
    void freeWhileQueuedForgetsTheTaskAndFreeWhileRunningDropsItsResult() {
        state = new WorkerState("self", 1);
        assign(task("run", 1), task("queued", 0));
        assertThat(state.handle(new WorkerEvent.KeysFreed("s", List.of("queued")))).isEmpty();
        assertThat(state.state("queued")).isNull();

        state.handle(new WorkerEvent.KeysFreed("s", List.of("run")));
        assertThat(state.state("run")).isEqualTo(TaskState.CANCELLED);
        List<Instruction> out = complete("run");
        assertThat(out).singleElement().isEqualTo(new Drop("s", List.of("run")));
        assertThat(state.running()).isZero();
    }

    @Test
    void freeingAHeldKeyDropsIt() {
        assign(task("t", 0));
        complete("t");
        assertThat(state.handle(new WorkerEvent.KeysFreed("s", List.of("t")))).containsExactly(new Drop("s", List.of("t")));
        assertThat(state.holds("t")).isFalse();
    }

    /**
     * Seen under load (ConnectionCutTest): a task kept running through a lost scheduler connection; at re-registration
     * the scheduler, which had already rescheduled one of its inputs, freed that input here. Dropping it then failed
     * the running task with "input ... is not held by this worker". The input is kept until no task here uses it.
     */
    @Test
    void aFreedKeyThatARunningTaskHereUsesIsKeptUntilTheTaskEnds() {
        assign(task("leaf", 0));
        complete("leaf");
        assertThat(executed(assign(task("sum", 0, "leaf")))).containsExactly("sum");
        state.handle(new WorkerEvent.SchedulerLost("lost"));
        assertThat(state.handle(new WorkerEvent.KeysFreed("free", List.of("leaf")))).isEmpty();
        assertThat(state.holds("leaf")).isTrue();

        List<Instruction> out = complete("sum");
        assertThat(out).contains(new Drop("s", List.of("leaf")));
        assertThat(state.holds("leaf")).isFalse();
        assertThat(state.holds("sum")).isTrue();
    }

    /**
     * Seen in CI (ConnectionCutTest): a task freed while it ran here, then its key fetched from another worker for a
     * new task here. When the cancelled task ended, dropping "its" result dropped the fetched copy, and the new task
     * failed with "input ... is not held by this worker".
     */
    @Test
    void aCancelledTaskWhoseKeyWasFetchedMeanwhileLeavesTheCopy() {
        assign(task("leaf", 0));
        state.handle(new WorkerEvent.KeysFreed("free", List.of("leaf")));
        assertThat(fetches(assign(task("sum", 0, "leaf")))).singleElement()
                .satisfies(f -> assertThat(f.keys()).containsExactly("leaf"));
        assertThat(executed(state.handle(new WorkerEvent.InputsFetched("fetched", "a", Set.of("leaf"))))).containsExactly("sum");

        assertThat(complete("leaf")).noneMatch(Drop.class::isInstance);
        assertThat(state.holds("leaf")).isTrue();
        assertThat(complete("sum")).contains(new Drop("s", List.of("leaf")));
        assertThat(state.holds("leaf")).isFalse();
    }

    /** The same, with the fetch still under way when the cancelled task ends: its result serves the waiting task. */
    @Test
    void aCancelledTaskWhoseKeyIsBeingFetchedServesTheFetch() {
        assign(task("leaf", 0));
        state.handle(new WorkerEvent.KeysFreed("free", List.of("leaf")));
        assertThat(fetches(assign(task("sum", 0, "leaf")))).hasSize(1);

        List<Instruction> out = complete("leaf");
        assertThat(out).noneMatch(Drop.class::isInstance);
        assertThat(executed(out)).containsExactly("sum");
        assertThat(state.handle(new WorkerEvent.InputsFetched("fetched", "a", Set.of("leaf")))).isEmpty(); // stale now
        assertThat(complete("sum")).contains(new Drop("s", List.of("leaf")));
    }

    /** A task here whose result another task here is fetching from elsewhere: the result ends the wait. */
    @Test
    void aResultComputedHereWhileItIsFetchedForADependentWakesTheDependent() {
        assign(task("leaf", 0));
        assertThat(fetches(assign(task("sum", 0, "leaf")))).hasSize(1);
        List<Instruction> out = complete("leaf");
        assertThat(executed(out)).containsExactly("sum");
        assertThat(out).noneMatch(Drop.class::isInstance);
        assertThat(complete("sum")).noneMatch(Drop.class::isInstance); // held in its own right: kept
        assertThat(state.holds("leaf")).isTrue();
    }

    /** A key scattered here while a fetch of it for no task any more is under way is kept, not dropped. */
    @Test
    void aKeyScatteredWhileAnUnwantedFetchOfItIsUnderWayIsKept() {
        assign(task("sum", 0, "x"));
        state.handle(new WorkerEvent.KeysFreed("free", List.of("sum")));
        assertThat(state.handle(new WorkerEvent.KeysScattered("scatter", Set.of("x")))).noneMatch(Drop.class::isInstance);
        assertThat(state.holds("x")).isTrue();
        assertThat(state.keysInOwnRight()).contains("x");
    }

    /**
     * Seen in CI (HostCutOffTest): a fetch from a worker whose host was cut off never answered; the scheduler
     * recomputed the key elsewhere and sent the dependent here again with the new holder, but the dependent joined
     * the old fetch and waited on the lost worker until the test gave up.
     */
    @Test
    void aTaskWhoseInputHasMovedFetchesItFromTheNewHolderNotFromTheLostOne() {
        ExecuteTask fromA = new ExecuteTask("t", "fn", List.of(new Arg.Ref("x")), Map.of("x", List.of(A)), 0, 0);
        assertThat(fetches(assign(fromA))).singleElement().satisfies(f -> assertThat(f.holder()).isEqualTo(A));
        state.handle(new WorkerEvent.KeysFreed("free", List.of("t"))); // a is lost; the request to it hangs
        ExecuteTask fromB = new ExecuteTask("t", "fn", List.of(new Arg.Ref("x")), Map.of("x", List.of(B)), 0, 1);
        assertThat(fetches(assign(fromB))).singleElement().satisfies(f -> assertThat(f.holder()).isEqualTo(B));
        assertThat(state.handle(new WorkerEvent.FetchFailed("late", "a", Set.of("x"), "timed out"))).isEmpty(); // stale
        assertThat(executed(state.handle(new WorkerEvent.InputsFetched("fetched", "b", Set.of("x"))))).containsExactly("t");
    }

    /** A task freed while it ran and assigned here again resumes: its result is reported, not dropped. */
    @Test
    void aCancelledTaskAssignedAgainResumesAndReports() {
        assign(task("t", 0));
        state.handle(new WorkerEvent.KeysFreed("free", List.of("t")));
        assertThat(assign(task("t", 0))).isEmpty();
        assertThat(state.state("t")).isEqualTo(TaskState.EXECUTING);
        assertThat(complete("t")).singleElement().isInstanceOf(ReportDone.class);
        assertThat(state.holds("t")).isTrue();
    }

    @Test
    void errorsAreReported() {
        assign(task("t", 0));
        RemoteError error = RemoteError.of("java.lang.ArithmeticException", "/ by zero", "t");
        assertThat(state.handle(new WorkerEvent.TaskErred("s", "t", error)))
                .containsExactly(new ReportFailed("s", new io.partita.common.protocol.WorkerReport.TaskFailed("t", error)));
    }

    @Test
    void localDependenciesNeedNoFetch() {
        assign(task("x", 0));
        complete("x");
        assertThat(executed(assign(task("t", 0, "x")))).containsExactly("t");
    }

    @Test
    void illegalTransitionsThrowWithHistory() {
        assertThatThrownBy(() -> complete("nope")).isInstanceOf(IllegalStateException.class).hasMessageContaining("nope");
        assertThatThrownBy(() -> TaskState.check("k", TaskState.READY, TaskState.DONE, "history"))
                .hasMessageContaining("READY -> DONE").hasMessageContaining("history");
    }

    @Test
    void pausedStartsNothingUntilResumed() {
        state.handle(new WorkerEvent.MemoryPaused("m1", true));
        assertThat(executed(assign(task("t1", 0), task("t2", 0)))).isEmpty();
        assertThat(state.paused()).isTrue();
        assertThat(state.queued()).isEqualTo(2);

        assertThat(executed(state.handle(new WorkerEvent.MemoryPaused("m2", false)))).containsExactly("t1", "t2");
    }

    @Test
    void aScatteredKeyIsHeldAndSatisfiesTasksThatWaitForIt() {
        assertThat(assign(task("t1", 0, "s"))).singleElement().isInstanceOf(FetchInputs.class);

        List<Instruction> out = state.handle(new WorkerEvent.KeysScattered("p", Set.of("s")));
        assertThat(executed(out)).containsExactly("t1");
        assertThat(state.holds("s")).isTrue();

        out = complete("t1");
        assertThat(out).noneMatch(Drop.class::isInstance); // held in its own right, not a fetched copy
        assertThat(state.keysInOwnRight()).containsExactlyInAnyOrder("s", "t1");
        assertThat(executed(assign(task("t2", 0, "s")))).containsExactly("t2"); // no fetch: it is here
        complete("t2");
        assertThat(state.handle(new WorkerEvent.KeysFreed("f", List.of("s")))).singleElement().isInstanceOf(Drop.class);
    }

    private static List<FetchInputs> fetches(List<Instruction> out) {
        return out.stream().filter(FetchInputs.class::isInstance).map(FetchInputs.class::cast).toList();
    }

    @Test
    void pausedStartsNoNewFetchesUntilResumed() {
        state.handle(new WorkerEvent.MemoryPaused("m1", true));
        assertThat(fetches(assign(task("t1", 0, "x", "y"), task("t2", 0, "x")))).isEmpty();
        assertThat(state.deferredFetches()).isEqualTo(2);

        List<Instruction> out = state.handle(new WorkerEvent.MemoryPaused("m2", false));
        assertThat(fetches(out)).singleElement().satisfies(f -> {
            assertThat(f.holder()).isEqualTo(A);
            assertThat(f.keys()).containsExactly("x", "y");
        });
        assertThat(state.deferredFetches()).isZero();
        assertThat(executed(state.handle(new WorkerEvent.InputsFetched("f", "a", Set.of("x", "y"))))).containsExactly("t1", "t2");
    }

    @Test
    void aFetchUnderWayFinishesWhilePausedAndItsRetryWaits() {
        assertThat(fetches(assign(task("t1", 0, "x")))).hasSize(1);
        state.handle(new WorkerEvent.MemoryPaused("m1", true));
        List<Instruction> out = state.handle(new WorkerEvent.FetchFailed("f", "a", Set.of("x"), "gone"));
        assertThat(fetches(out)).as("the retry at B waits").isEmpty();
        out = state.handle(new WorkerEvent.MemoryPaused("m2", false));
        assertThat(fetches(out)).singleElement().satisfies(f -> assertThat(f.holder()).isEqualTo(B));
        assertThat(executed(state.handle(new WorkerEvent.InputsFetched("f", "b", Set.of("x"))))).containsExactly("t1");
    }

    @Test
    void aDeferredFetchNoTaskWantsAnyMoreIsNeverStarted() {
        state.handle(new WorkerEvent.MemoryPaused("m1", true));
        assign(task("t1", 0, "x"), task("t2", 0, "y"));
        state.handle(new WorkerEvent.KeysFreed("free", List.of("t1")));
        List<Instruction> out = state.handle(new WorkerEvent.MemoryPaused("m2", false));
        assertThat(fetches(out)).singleElement().satisfies(f -> assertThat(f.keys()).containsExactly("y"));
        // x is wanted again later: a new fetch starts for it
        assertThat(fetches(assign(task("t3", 0, "x")))).singleElement().satisfies(f -> assertThat(f.keys()).containsExactly("x"));
    }
}
