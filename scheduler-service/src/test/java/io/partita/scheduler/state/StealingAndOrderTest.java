package io.partita.scheduler.state;

import static org.assertj.core.api.Assertions.assertThat;

import io.partita.common.protocol.WorkerCommand;
import io.partita.common.task.TaskSpec;
import io.partita.scheduler.state.Event.GraphSubmitted;
import io.partita.scheduler.state.Event.StealAnswered;
import io.partita.scheduler.state.Event.Tick;
import io.partita.scheduler.state.Instruction.SendToWorker;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class StealingAndOrderTest extends StateHarness {

    static List<String> stealRequests(List<Instruction> out, String victim) {
        List<String> keys = new ArrayList<>();
        for (Instruction i : out) {
            if (i instanceof SendToWorker(_, String w, WorkerCommand.StealTasks st) && w.equals(victim)) {
                keys.addAll(st.keys());
            }
        }
        return keys;
    }

    List<String> tenTasksOnA() {
        join("a");
        List<TaskSpec> tasks = IntStream.range(0, 10).mapToObj(i -> task("t-" + i)).toList();
        List<String> sent = executed(submit("c", graph(tasks, tasks.stream().map(TaskSpec::key).toArray(String[]::new))), "a");
        assertThat(sent).hasSize(10);
        return sent;
    }

    @Test
    void anIdleWorkerStealsQueuedTasksFromTheLastOneTheVictimWouldRun() {
        tenTasksOnA();
        join("b");
        List<String> asked = stealRequests(on(new Tick(sid())), "a");
        // a has 10 tasks of the default 1 ms on 1 thread, b none: about half move, the last sent first
        assertThat(asked).hasSizeBetween(3, 5).startsWith("t-9");
        assertThat(stealRequests(on(new Tick(sid())), "a")).as("no second request while the first is out").isEmpty();

        String kept = asked.getFirst();
        List<String> released = asked.subList(1, asked.size());
        List<Instruction> out = on(new StealAnswered(sid(), "a", released, List.of(kept)));
        assertThat(executed(out, "b")).containsExactlyInAnyOrderElementsOf(released);
        assertThat(state.stolenCount()).isEqualTo(released.size());
        assertThat(state.processingByWorker()).containsEntry("a", 10 - released.size()).containsEntry("b", released.size());
    }

    /**
     * Seen in the TPC-H benchmark: a long combine task, assigned last and run first (its priority is higher), was the
     * victim's first candidate; as moving a running task never pays, the victim was passed over, and the queued scans
     * behind it waited 5 s while the other worker idled.
     */
    @Test
    void aRunningTaskAssignedLastDoesNotHideTheQueuedOnesBehindIt() {
        join("a");
        submit("c", graph(List.of(task("slow-0")), "slow-0"));
        on(new Event.TasksFinished(sid(), "a", List.of(new io.partita.common.protocol.WorkerReport.TaskDone("slow-0", 8,
                "Integer", 0, 10_000_000)))); // the group "slow" takes 10 s
        List<TaskSpec> quick = IntStream.range(0, 10).mapToObj(i -> task("t-" + i)).toList();
        assertThat(executed(submit("c", graph(quick, quick.stream().map(TaskSpec::key).toArray(String[]::new))), "a")).hasSize(10);
        TaskSpec slow = new TaskSpec("slow-1", F.id(), List.of(), 0, 5, java.util.Map.of(), List.of());
        assertThat(executed(submit("c", graph(List.of(slow), "slow-1")), "a")).containsExactly("slow-1"); // assigned last
        on(new Event.TasksStarted(sid(), "a", List.of("slow-1"))); // and run first: its priority is higher
        join("b");
        assertThat(stealRequests(on(new Tick(sid())), "a")).isNotEmpty().doesNotContain("slow-1").allMatch(k -> k.startsWith("t-"));
    }

    /**
     * The same run, as it happened: the scans were placed before any had finished (1 ms each by default); once the
     * first finish in 0.5 s, the queued ones count 0.5 s each, and an idle worker takes some.
     */
    @Test
    void queuedTasksCountTheirGroupsMeasuredDurationOnceItIsKnown() {
        join("a");
        List<TaskSpec> scans = IntStream.range(0, 4).mapToObj(i -> task("scan-" + i)).toList();
        assertThat(executed(submit("c", graph(scans, scans.stream().map(TaskSpec::key).toArray(String[]::new))), "a")).hasSize(4);
        join("b");
        on(new Event.TasksStarted(sid(), "a", List.of("scan-0")));
        on(new Event.TasksFinished(sid(), "a", List.of(new io.partita.common.protocol.WorkerReport.TaskDone("scan-0", 8,
                "Integer", 0, 500_000))));
        on(new Event.TasksStarted(sid(), "a", List.of("scan-1")));
        // on a, 1.5 s of work (scan-1 running, 2 and 3 queued), none on b: the last one moves (at 1 ms each, none did)
        assertThat(stealRequests(on(new Tick(sid())), "a")).containsExactly("scan-3");
    }

    /**
     * And when the long task is a job's first of its group (expected 1 ms by default) that has run for seconds, the
     * queued tasks behind it are worth moving: it is expected to run as long again.
     */
    @Test
    void aTaskRunningFarLongerThanExpectedCountsAsRunningAsLongAgain() {
        join("a");
        submit("c", graph(List.of(task("scan-0")), "scan-0"));
        on(new Event.TasksFinished(sid(), "a", List.of(new io.partita.common.protocol.WorkerReport.TaskDone("scan-0", 8,
                "Integer", 0, 500_000))));
        List<TaskSpec> scans = IntStream.range(1, 3).mapToObj(i -> task("scan-" + i)).toList();
        assertThat(executed(submit("c", graph(scans, "scan-1", "scan-2")), "a")).hasSize(2);
        TaskSpec combine = new TaskSpec("combine-0", F.id(), List.of(), 0, 5, java.util.Map.of(), List.of());
        assertThat(executed(submit("c", graph(List.of(combine), "combine-0")), "a")).containsExactly("combine-0");
        on(new Event.TasksStarted(sid(), "a", List.of("combine-0")));
        join("b");
        assertThat(stealRequests(on(new Tick(sid())), "a")).as("the combine may end any moment").isEmpty();
        now += 3_000; // it has run 3 s
        assertThat(stealRequests(on(new Tick(sid())), "a")).containsExactlyInAnyOrder("scan-1", "scan-2");
    }

    @Test
    void aBalancedClusterStealsNothing() {
        join("a");
        join("b");
        List<TaskSpec> tasks = IntStream.range(0, 10).mapToObj(i -> task("t-" + i)).toList();
        submit("c", graph(tasks, tasks.stream().map(TaskSpec::key).toArray(String[]::new)));
        assertThat(state.processingByWorker()).containsEntry("a", 5).containsEntry("b", 5);
        assertThat(stealRequests(on(new Tick(sid())), "a")).isEmpty();
        assertThat(stealRequests(on(new Tick(sid())), "b")).isEmpty();
    }

    @Test
    void stealingOffMeansNoRequests() {
        state = new SchedulerState("s1", SchedulerLimits.defaults().withWorkStealing(false), sha -> false);
        tenTasksOnA();
        join("b");
        assertThat(stealRequests(on(new Tick(sid())), "a")).isEmpty();
    }

    @Test
    void aTaskRestrictedToTheVictimIsNotStolen() {
        join("a");
        List<TaskSpec> tasks = IntStream.range(0, 10).mapToObj(i -> new TaskSpec("t-" + i, F.id(), List.of(), 0, 0,
                java.util.Map.of(), List.of("a-name"))).toList();
        submit("c", graph(tasks, tasks.stream().map(TaskSpec::key).toArray(String[]::new)));
        join("b");
        assertThat(stealRequests(on(new Tick(sid())), "a")).isEmpty();
    }

    @Test
    void aStolenTaskThatFinishedOnTheVictimMeanwhileIsKeptThere() {
        tenTasksOnA();
        join("b");
        List<String> asked = stealRequests(on(new Tick(sid())), "a");
        String first = asked.getFirst();
        done("a", first); // it ran before the request arrived
        List<Instruction> out = on(new StealAnswered(sid(), "a", List.of(), List.of(first)));
        assertThat(executed(out, "b")).isEmpty();
        assertThat(state.stateOf(first)).contains(TaskState.MEMORY);
    }

    @Test
    void theVictimDyingWithStealsOutReplansItsTasks() {
        tenTasksOnA();
        join("b");
        assertThat(stealRequests(on(new Tick(sid())), "a")).isNotEmpty();
        List<Instruction> out = on(new Event.WorkerLeft(sid(), "a", "killed"));
        assertThat(executed(out, "b")).hasSize(10);
    }

    @Test
    void aTreeRunsEachSumRightAfterItsLeaves() {
        List<TaskSpec> tree = List.of(task("leaf-1"), task("leaf-2"), task("leaf-3"), task("leaf-4"),
                task("sum-12", "leaf-1", "leaf-2"), task("sum-34", "leaf-3", "leaf-4"), task("total", "sum-12", "sum-34"));
        assertThat(GraphOrder.order(tree)).extracting(TaskSpec::key)
                .containsExactly("leaf-1", "leaf-2", "sum-12", "leaf-3", "leaf-4", "sum-34", "total");
    }

    @Test
    void independentTasksKeepTheirOrderAndEarlierGraphsComeFirst() {
        List<TaskSpec> map = List.of(task("m-1"), task("m-2"), task("m-3"));
        assertThat(GraphOrder.order(map)).extracting(TaskSpec::key).containsExactly("m-1", "m-2", "m-3");
        join("a");
        List<Instruction> first = on(new GraphSubmitted(sid(), "c", 1, graph(List.of(task("x-1"), task("x-2")), "x-1", "x-2")));
        List<Instruction> second = on(new GraphSubmitted(sid(), "c", 2, graph(List.of(task("y-1")), "y-1")));
        long lastOfFirst = orders(first).stream().mapToLong(Long::longValue).max().orElseThrow();
        assertThat(orders(second)).allMatch(o -> o > lastOfFirst);
    }

    @Test
    void aDeepChainIsOrderedWithoutRecursion() {
        List<TaskSpec> chain = new ArrayList<>();
        chain.add(task("c-0"));
        for (int i = 1; i < 200_000; i++) {
            chain.add(task("c-" + i, "c-" + (i - 1)));
        }
        List<TaskSpec> ordered = GraphOrder.order(chain);
        assertThat(ordered).hasSize(chain.size());
        assertThat(ordered.getFirst().key()).isEqualTo("c-0");
        assertThat(ordered.getLast().key()).isEqualTo("c-199999");
    }

    static List<Long> orders(List<Instruction> out) {
        List<Long> orders = new ArrayList<>();
        for (Instruction i : out) {
            if (i instanceof SendToWorker(_, String w, WorkerCommand.ExecuteTasks ex)) {
                ex.tasks().forEach(t -> orders.add(t.order()));
            }
        }
        return orders;
    }
}
