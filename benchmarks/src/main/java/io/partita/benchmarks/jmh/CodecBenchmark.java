package io.partita.benchmarks.jmh;

import io.partita.common.codec.MessageCodec;
import io.partita.common.codec.ValueCodec;
import io.partita.common.protocol.ClientRequest;
import io.partita.common.protocol.WorkerReport;
import io.partita.common.task.Arg;
import io.partita.common.task.FunctionSpec;
import io.partita.common.task.GraphSpec;
import io.partita.common.task.TaskSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/** CBOR encode and decode of the two hottest messages: a large graph submission and a batch of tasks done. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class CodecBenchmark {
    private static final long MAX_BYTES = 1L << 30;

    /** Tasks in the graph (a chain: each task takes the previous one's key and a literal). */
    @Param("10000")
    int tasks;

    /** Tasks in one TasksDone report. */
    @Param("1000")
    int batch;

    private ClientRequest.SubmitGraph graph;
    private byte[] graphCbor;
    private WorkerReport.TasksDone done;
    private byte[] doneCbor;

    @Setup
    public void setUp() {
        FunctionSpec fn = FunctionSpec.of("add", new byte[64], List.of());
        List<TaskSpec> specs = new ArrayList<>(tasks);
        for (int i = 0; i < tasks; i++) {
            List<Arg> args = i == 0 ? List.of(new Arg.Literal(ValueCodec.encode(i)))
                    : List.of(new Arg.Ref("add-" + (i - 1)), new Arg.Literal(ValueCodec.encode(i)));
            specs.add(TaskSpec.of("add-" + i, fn.id(), args));
        }
        graph = new ClientRequest.SubmitGraph(1, new GraphSpec(List.of(fn), specs, List.of("add-" + (tasks - 1))));
        graphCbor = MessageCodec.toCbor(graph);
        List<WorkerReport.TaskDone> list = new ArrayList<>(batch);
        for (int i = 0; i < batch; i++) {
            list.add(new WorkerReport.TaskDone("add-" + i, 8, "java.lang.Long", 1_700_000_000_000L + i, 250, i % 4));
        }
        done = new WorkerReport.TasksDone(list);
        doneCbor = MessageCodec.toCbor(done);
    }

    @Benchmark
    public byte[] encodeSubmitGraph() {
        return MessageCodec.toCbor(graph);
    }

    @Benchmark
    public Object decodeSubmitGraph() {
        return MessageCodec.fromCbor(graphCbor, ClientRequest.class, MAX_BYTES);
    }

    @Benchmark
    public byte[] encodeTasksDone() {
        return MessageCodec.toCbor(done);
    }

    @Benchmark
    public Object decodeTasksDone() {
        return MessageCodec.fromCbor(doneCbor, WorkerReport.class, MAX_BYTES);
    }
}
