package io.partita.worker;

import static org.assertj.core.api.Assertions.assertThat;

import io.partita.common.codec.MessageCodec;
import io.partita.common.codec.ValueCodec;
import io.partita.common.fn.Fn1;
import io.partita.common.protocol.ClusterInfo;
import io.partita.common.protocol.WorkerCommand;
import io.partita.common.protocol.WorkerReport;
import io.partita.common.task.Arg;
import io.partita.common.task.FunctionSpec;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.ServerWebSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A worker against a fake scheduler: /api/cluster and the worker WebSocket. */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class WorkerServerTest {
    @TempDir
    Path dir;

    private Vertx vertx;
    private HttpServer http;
    private final ConcurrentLinkedQueue<WorkerReport> reports = new ConcurrentLinkedQueue<>();
    private volatile ServerWebSocket worker;

    @BeforeEach
    void fakeScheduler() throws Exception {
        ClusterInfo info = new ClusterInfo("sched-1", "test", List.of());
        vertx = Vertx.vertx();
        http = vertx.createHttpServer()
                .webSocketHandler(ws -> {
                    worker = ws;
                    ws.binaryMessageHandler(buf -> {
                        WorkerReport report = MessageCodec.fromCbor(buf.getBytes(), WorkerReport.class, 1 << 26);
                        reports.add(report);
                        if (report instanceof WorkerReport.RegisterWorker) {
                            ws.writeBinaryMessage(Buffer.buffer(MessageCodec.toCbor(new WorkerCommand.Registered("sched-1"))));
                        }
                    });
                })
                .requestHandler(req -> req.response().putHeader("content-type", "application/json").end(MessageCodec.toJson(info)))
                .listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @AfterEach
    void stop() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void registersRunsTasksAndReportsItsLoadOnItsConnection() throws Exception {
        try (WorkerServer server = WorkerServer.start(WorkerConfig.local("127.0.0.1", http.actualPort(), "w", 2, dir))) {
            assertThat(reports.peek()).isInstanceOfSatisfying(WorkerReport.RegisterWorker.class, r -> {
                assertThat(r.info().workerId()).isEqualTo(server.workerId());
                assertThat(r.info().flightUri()).isEqualTo(server.flightUri());
            });

            Fn1<Integer, Integer> square = x -> x * x;
            FunctionSpec fn = FunctionSpec.of("square", ValueCodec.encode(square), List.of());
            List<WorkerCommand.ExecuteTask> tasks = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                tasks.add(new WorkerCommand.ExecuteTask("square-" + i, fn.id(),
                        List.of(new Arg.Literal(ValueCodec.encode(i))), Map.of(), 0, i));
            }
            worker.writeBinaryMessage(Buffer.buffer(MessageCodec.toCbor(new WorkerCommand.ExecuteTasks(List.of(fn), tasks))));

            await(() -> doneKeys().size() == 200, () -> "200 tasks reported done, got " + reports);
            assertThat(ValueCodec.decode(server.store().get("square-12"), getClass().getClassLoader())).isEqualTo(144);

            worker.writeBinaryMessage(Buffer.buffer(MessageCodec.toCbor(new WorkerCommand.FreeKeys(List.of("square-12")))));
            await(() -> !server.store().contains("square-12"), () -> "freed key dropped");

            // the load, twice a second, is the worker's heartbeat: after the registration, never before it
            await(() -> loads().size() >= 2, () -> "two loads reported, got " + reports);
            assertThat(loads()).allSatisfy(l -> assertThat(l.workerId()).isEqualTo(server.workerId()));
            assertThat(reports.peek()).isInstanceOf(WorkerReport.RegisterWorker.class);
            await(() -> loads().getLast().storedKeys() == 199, () -> "a load counting 199 keys held, got " + loads());
        }
    }

    @Test
    void registersAgainWithItsKeysWhenTheSchedulerConnectionDrops() throws Exception {
        try (WorkerServer server = WorkerServer.start(WorkerConfig.local("127.0.0.1", http.actualPort(), "w", 1, dir))) {
            Fn1<Integer, Integer> square = x -> x * x;
            FunctionSpec fn = FunctionSpec.of("square", ValueCodec.encode(square), List.of());
            worker.writeBinaryMessage(Buffer.buffer(MessageCodec.toCbor(new WorkerCommand.ExecuteTasks(List.of(fn),
                    List.of(new WorkerCommand.ExecuteTask("square-3", fn.id(), List.of(new Arg.Literal(ValueCodec.encode(3))), Map.of(), 0, 0))))));
            await(() -> doneKeys().contains("square-3"), () -> "task done, got " + reports);
            ServerWebSocket first = worker;
            first.close();

            // a scheduler taking over learns from the new registration which results this worker still holds
            await(() -> registrations().size() == 2, () -> "a second registration, got " + reports);
            assertThat(registrations().getLast().heldKeys()).extracting(WorkerReport.HeldKey::key).containsExactly("square-3");
            assertThat(worker).isNotSameAs(first);
            await(server::isRegistered, () -> "the worker to take the scheduler's Registered reply");
        }
    }

    @Test
    void stopsWhenNoSchedulerTakesItBack() throws Exception {
        WorkerServer server = WorkerServer.start(WorkerConfig.local("127.0.0.1", http.actualPort(), "w", 1, dir)
                .withConnectTimeout(Duration.ofSeconds(2)));
        http.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        worker.close();
        assertThat(server.awaitTermination()).isEqualTo(1);
    }

    private List<WorkerReport.RegisterWorker> registrations() {
        return reports.stream().filter(WorkerReport.RegisterWorker.class::isInstance).map(WorkerReport.RegisterWorker.class::cast).toList();
    }

    private List<io.partita.common.protocol.WorkerLoad> loads() {
        return reports.stream().filter(WorkerReport.Load.class::isInstance).map(r -> ((WorkerReport.Load) r).load()).toList();
    }

    private List<String> doneKeys() {
        return reports.stream().filter(WorkerReport.TasksDone.class::isInstance)
                .flatMap(r -> ((WorkerReport.TasksDone) r).tasks().stream()).map(WorkerReport.TaskDone::key).toList();
    }

    private static void await(BooleanSupplier condition, java.util.function.Supplier<String> what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for: " + what.get());
            }
            Thread.sleep(10); // polling interval
        }
    }
}
