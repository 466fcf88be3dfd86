package io.partita.scheduler.state;

import static org.assertj.core.api.Assertions.assertThat;

import io.partita.common.protocol.ClientUpdate;
import io.partita.common.protocol.WorkerCommand;
import io.partita.common.task.TaskSpec;
import io.partita.scheduler.state.Event.KeysAcquired;
import io.partita.scheduler.state.Event.RetireRequested;
import io.partita.scheduler.state.Event.WorkerRetiring;
import io.partita.scheduler.state.Instruction.SendToWorker;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RetirementTest extends StateHarness {

    static Map<String, List<String>> acquireOrders(List<Instruction> out) {
        Map<String, List<String>> orders = new java.util.HashMap<>();
        for (Instruction i : out) {
            if (i instanceof SendToWorker(_, String w, WorkerCommand.AcquireKeys a)) {
                orders.computeIfAbsent(w, x -> new ArrayList<>()).addAll(a.keys().keySet());
            }
        }
        return orders;
    }

    static boolean retired(List<Instruction> out, String worker) {
        return out.stream().anyMatch(i -> i instanceof SendToWorker(_, String w, WorkerCommand.Retired r) && w.equals(worker));
    }

    /** Two workers, x-0..x-3 in memory: a holds x-0 and x-2, b holds x-1 and x-3. */
    void fourKeysOnTwoWorkers() {
        join("a");
        join("b");
        List<TaskSpec> tasks = List.of(task("x-0"), task("x-1"), task("x-2"), task("x-3"));
        List<Instruction> out = submit("c", graph(tasks, "x-0", "x-1", "x-2", "x-3"));
        executed(out, "a").forEach(k -> done("a", k));
        executed(out, "b").forEach(k -> done("b", k));
        assertThat(state.countsByState()).containsEntry(TaskState.MEMORY, 4);
    }

    @Test
    void aRetiredWorkersKeysAreCopiedThenItIsToldToStopAndTheClientAnswered() {
        fourKeysOnTwoWorkers();
        List<String> onA = new ArrayList<>(state.holders(List.of("x-0", "x-1", "x-2", "x-3")).entrySet().stream()
                .filter(e -> e.getValue().getFirst().workerId().equals("a")).map(Map.Entry::getKey).sorted().toList());
        List<Instruction> out = on(new RetireRequested(sid(), "c", 7, List.of("a-name")));
        assertThat(acquireOrders(out)).containsOnlyKeys("b");
        assertThat(acquireOrders(out).get("b")).containsExactlyInAnyOrderElementsOf(onA);
        assertThat(retired(out, "a")).isFalse();

        // no new task goes to the retiring worker
        List<Instruction> more = submit("c", graph(List.of(task("y-0"), task("y-1")), "y-0", "y-1"));
        assertThat(executed(more, "a")).isEmpty();
        assertThat(executed(more, "b")).containsExactlyInAnyOrder("y-0", "y-1");

        List<Instruction> end = on(new KeysAcquired(sid(), "b", onA, List.of()));
        assertThat(retired(end, "a")).isTrue();
        assertThat(updates(end, ClientUpdate.WorkersRetired.class)).singleElement()
                .satisfies(r -> assertThat(r.workerIds()).containsExactly("a"));
        assertThat(state.hasWorker("a")).isFalse();
        // nothing is recomputed: every key is still in memory, now on b
        assertThat(executedAnywhere(end)).isEmpty();
        assertThat(state.holders(onA).values()).allSatisfy(h -> assertThat(h).extracting(x -> x.workerId()).containsExactly("b"));
    }

    @Test
    void aWorkerStoppingBySigtermRetiresTheSameWay() {
        fourKeysOnTwoWorkers();
        List<Instruction> out = on(new WorkerRetiring(sid(), "b"));
        List<String> copied = acquireOrders(out).get("a");
        assertThat(copied).hasSize(2);
        List<Instruction> end = on(new KeysAcquired(sid(), "a", copied, List.of()));
        assertThat(retired(end, "b")).isTrue();
        assertThat(state.countsByState()).containsEntry(TaskState.MEMORY, 4);
    }

    @Test
    void aFailedCopyIsTriedAgainAndAfterThreeAttemptsTheWorkerRetiresAnyway() {
        fourKeysOnTwoWorkers();
        List<String> copied = acquireOrders(on(new WorkerRetiring(sid(), "b"))).get("a");
        for (int attempt = 1; attempt < Retirement.MAX_ATTEMPTS; attempt++) {
            List<Instruction> again = on(new KeysAcquired(sid(), "a", List.of(), copied));
            assertThat(acquireOrders(again).get("a")).containsExactlyInAnyOrderElementsOf(copied);
        }
        List<Instruction> end = on(new KeysAcquired(sid(), "a", List.of(), copied));
        assertThat(retired(end, "b")).isTrue();
        // what could not be copied is recomputed from its lineage, on a
        assertThat(executed(end, "a")).containsExactlyInAnyOrderElementsOf(copied);
    }

    @Test
    void retiringEveryWorkerOrAnUnknownOneIsRefused() {
        fourKeysOnTwoWorkers();
        assertThat(failure(on(new RetireRequested(sid(), "c", 1, List.of("a", "b"))))).contains("every worker");
        assertThat(failure(on(new RetireRequested(sid(), "c", 2, List.of("nope"))))).contains("no worker named [nope]");
    }

    @Test
    void queuedTasksOfARetiringWorkerAreAskedBack() {
        join("a");
        List<String> sent = executed(submit("c", graph(List.of(task("t-0"), task("t-1")), "t-0", "t-1")), "a");
        join("b");
        List<Instruction> out = on(new RetireRequested(sid(), "c", 1, List.of("a")));
        assertThat(out).anySatisfy(i -> assertThat(i).isInstanceOfSatisfying(SendToWorker.class,
                s -> assertThat(s.command()).isEqualTo(new WorkerCommand.StealTasks(sent))));
        List<Instruction> back = on(new Event.StealAnswered(sid(), "a", List.of("t-1"), List.of("t-0")));
        assertThat(executed(back, "b")).containsExactly("t-1");
        List<Instruction> end = done("a", "t-0");
        List<String> copy = acquireOrders(end).get("b");
        assertThat(copy).containsExactly("t-0");
        assertThat(retired(on(new KeysAcquired(sid(), "b", copy, List.of())), "a")).isTrue();
    }
}
