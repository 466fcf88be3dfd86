package io.partita.benchmarks.jmh;

import io.partita.common.protocol.WorkerCommand;
import io.partita.common.protocol.WorkerInfo;
import io.partita.common.protocol.WorkerReport.TaskDone;
import io.partita.common.task.FunctionSpec;
import io.partita.common.task.GraphSpec;
import io.partita.common.task.TaskSpec;
import io.partita.scheduler.state.Event;
import io.partita.scheduler.state.Instruction;
import io.partita.scheduler.state.SchedulerLimits;
import io.partita.scheduler.state.SchedulerState;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Tasks per second through the scheduler's pure core ({@link SchedulerState#handle}), no I/O: a fresh state, 4
 * workers joined, a graph of {@link #TASKS} independent tasks submitted, then every task sent is started and
 * finished, as events, until none is left. Events are built as in integration-tests' SimulatedCluster.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class SchedulerStateBenchmark {
    static final int TASKS = 10_000;
    private static final int WORKERS = 4;
    private static final FunctionSpec F = FunctionSpec.of("f", new byte[] {1}, List.of());

    private long stimulus;
    private long now = 1_700_000_000_000L;

    @Benchmark
    @OperationsPerInvocation(TASKS)
    public int submitStartFinish() {
        SchedulerState state = new SchedulerState("bench", SchedulerLimits.defaults().withWorkStealing(false), sha -> false);
        Map<String, List<String>> sent = new HashMap<>();
        for (int i = 1; i <= WORKERS; i++) {
            String id = "w-" + i;
            sent.put(id, new ArrayList<>());
            collect(state.handle(List.of(new Event.WorkerJoined(sid(), new WorkerInfo(id, "w" + i, "10.0.0." + i, "host-" + i,
                    "grpc+tcp://10.0.0.1:8789", 8790, 2, 8L << 30, Map.of(), 1000 + i, "", ""), List.of())), now), sent);
        }
        state.handle(List.of(new Event.ClientConnected(sid(), "client-1")), now);
        List<TaskSpec> specs = new ArrayList<>(TASKS);
        List<String> wanted = new ArrayList<>(TASKS);
        for (int i = 0; i < TASKS; i++) {
            specs.add(TaskSpec.of("t-" + i, F.id(), List.of()));
            wanted.add("t-" + i);
        }
        collect(state.handle(List.of(new Event.GraphSubmitted(sid(), "client-1", 1, new GraphSpec(List.of(F), specs, wanted))), now), sent);
        int finished = 0;
        for (int round = 0; round < TASKS && finished < TASKS; round++) { // bounded: each round finishes at least one task
            int before = finished;
            for (var worker : sent.entrySet()) {
                List<String> keys = List.copyOf(worker.getValue());
                if (keys.isEmpty()) {
                    continue;
                }
                worker.getValue().clear();
                now++;
                List<TaskDone> done = keys.stream().map(k -> new TaskDone(k, 8, "java.lang.Long", 0, 10, 1)).toList();
                collect(state.handle(List.of(new Event.TasksStarted(sid(), worker.getKey(), keys),
                        new Event.TasksFinished(sid(), worker.getKey(), done)), now), sent);
                finished += keys.size();
            }
            if (finished == before) {
                throw new IllegalStateException("no task was sent: " + finished + " of " + TASKS + " finished");
            }
        }
        return finished;
    }

    private static void collect(List<Instruction> instructions, Map<String, List<String>> sent) {
        for (Instruction i : instructions) {
            if (i instanceof Instruction.SendToWorker(_, String worker, WorkerCommand.ExecuteTasks ex)) {
                ex.tasks().forEach(t -> sent.get(worker).add(t.key()));
            }
        }
    }

    private String sid() {
        return "b-" + (++stimulus);
    }
}
