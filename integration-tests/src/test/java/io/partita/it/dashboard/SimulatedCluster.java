package io.partita.it.dashboard;

import io.partita.common.protocol.WorkerCommand;
import io.partita.common.protocol.WorkerInfo;
import io.partita.common.protocol.WorkerLoad;
import io.partita.common.protocol.WorkerReport.TaskDone;
import io.partita.common.task.Arg;
import io.partita.common.task.FunctionSpec;
import io.partita.common.task.GraphSpec;
import io.partita.common.task.TaskSpec;
import io.partita.dashboard.Dashboard;
import io.partita.dashboard.DashboardSource;
import io.partita.scheduler.dashboard.SchedulerDashboard;
import io.partita.scheduler.state.Event;
import io.partita.scheduler.state.Instruction;
import io.partita.scheduler.state.SchedulerLimits;
import io.partita.scheduler.state.SchedulerState;
import io.vertx.core.Context;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * A simulated load for the dashboard: the scheduler's real state machine and dashboard, on one Vert.x event loop as
 * in the scheduler, with simulated workers (each finishes the tasks it was sent, one per thread at a time, and
 * publishes a load with memory by tier and transfers once a second). No processes and no network besides the
 * dashboard's HTTP server, so that a browser sees {@code workers} workers and {@code tasks} tasks in flight.
 */
final class SimulatedCluster implements AutoCloseable {
    private static final FunctionSpec F = FunctionSpec.of("f", new byte[] {1}, List.of());
    private static final List<String> STAGES = List.of("read_parquet", "clean", "join", "aggregate");

    private final Vertx vertx = Vertx.vertx();
    private final Context context = vertx.getOrCreateContext();
    private final Random random = new Random(42);
    private final SchedulerState state = new SchedulerState("sim", SchedulerLimits.defaults().withWorkStealing(false), sha -> false);
    private final Map<String, WorkerLoad> loads = new ConcurrentHashMap<>();
    private final Map<String, ArrayDeque<String>> queues = new HashMap<>();
    private final Map<String, Long> activitySeq = new HashMap<>();
    private final Map<String, Long> turns = new HashMap<>();
    private final int workers;
    private final int threads;
    private final int tasksPerTick;
    private SchedulerDashboard data;
    private Dashboard dashboard;
    private HttpServer server;
    private long stimulus;
    /** Nanoseconds spent answering each page's data, for the measurement. */
    final List<Long> pageNanos = java.util.Collections.synchronizedList(new ArrayList<>());

    /** @param tasksPerTick tasks each worker finishes every 100 ms (the simulated throughput) */
    SimulatedCluster(int workers, int threads, int tasksPerTick) {
        this.workers = workers;
        this.threads = threads;
        this.tasksPerTick = tasksPerTick;
    }

    /** Starts the dashboard on a free port with the workers registered and no tasks; returns the port. */
    int start() throws Exception {
        Promise<HttpServer> started = Promise.promise();
        context.runOnContext(v -> {
            data = new SchedulerDashboard(state, loads, () -> new JsonObject().put("role", "active")
                    .put("workers", state.workers().size()).put("tasks", state.taskCount()), System::currentTimeMillis);
            DashboardSource timed = new DashboardSource() {
                @Override
                public JsonObject page(Page page, long cursor) {
                    long t0 = System.nanoTime();
                    JsonObject out = data.page(page, cursor);
                    pageNanos.add(System.nanoTime() - t0);
                    return out;
                }

                @Override
                public JsonObject summary() {
                    return data.summary();
                }
            };
            Router router = Router.router(vertx);
            dashboard = new Dashboard(vertx, timed).mount(router, io.partita.common.auth.WebAccess.open());
            for (int i = 1; i <= workers; i++) {
                String id = String.format("sim-%03d", i);
                queues.put(id, new ArrayDeque<>());
                handle(new Event.WorkerJoined(sid(), new WorkerInfo(id, String.format("w%03d", i), "10.0.0." + (1 + i / 8),
                        "host-" + i / 8, "grpc+tcp://10.0.0.1:8789", 8790, threads, 8L << 30, Map.of(), 1000 + i,
                        "", ""), List.of()));
            }
            handle(new Event.ClientConnected(sid(), "client-00000001"));
            publishLoads();
            vertx.setPeriodic(1000, id -> publishLoads());
            vertx.setPeriodic(100, id -> finishSome());
            vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1").onComplete(started);
        });
        server = started.future().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        return server.actualPort();
    }

    /** Submits {@code tasks} tasks in four stages of chains (each task depends on one of the stage before). */
    void submit(int tasks) throws Exception {
        int perStage = tasks / STAGES.size();
        Promise<Void> done = Promise.promise();
        context.runOnContext(v -> {
            List<TaskSpec> specs = new ArrayList<>(tasks);
            List<String> wanted = new ArrayList<>();
            for (int s = 0; s < STAGES.size(); s++) {
                for (int i = 0; i < perStage; i++) {
                    String key = STAGES.get(s) + "-" + i;
                    List<Arg> args = s == 0 ? List.of() : List.of(new Arg.Ref(STAGES.get(s - 1) + "-" + i));
                    specs.add(TaskSpec.of(key, F.id(), args));
                    if (s == STAGES.size() - 1) {
                        wanted.add(key);
                    }
                }
            }
            handle(new Event.GraphSubmitted(sid(), "client-00000001", 1, new GraphSpec(List.of(F), specs, wanted)));
            done.complete();
        });
        done.future().toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    }

    private String sid() {
        return "sim-" + (++stimulus);
    }

    private void handle(Event e) {
        for (Instruction i : state.handle(List.of(e), System.currentTimeMillis())) {
            if (i instanceof Instruction.SendToWorker(_, String worker, WorkerCommand.ExecuteTasks ex)) {
                ex.tasks().forEach(t -> queues.get(worker).add(t.key()));
            }
        }
    }

    /** Each worker finishes up to {@link #tasksPerTick} of the tasks it was sent, on its threads in turn. */
    private void finishSome() {
        long now = System.currentTimeMillis();
        queues.forEach((worker, queue) -> {
            List<TaskDone> done = new ArrayList<>();
            for (int i = 0; i < tasksPerTick && !queue.isEmpty(); i++) {
                long micros = 20_000 + random.nextInt(80_000);
                int thread = 1 + (int) (turns.merge(worker, 1L, Long::sum) % threads); // the worker's threads in turn
                done.add(new TaskDone(queue.poll(), 1 << 20, "byte[]", now - micros / 1000, micros, thread));
            }
            if (!done.isEmpty()) {
                data.tasksDone(worker, done);
                handle(new Event.TasksFinished(sid(), worker, done));
            }
        });
    }

    private void publishLoads() {
        long now = System.currentTimeMillis();
        Map<String, Integer> processing = state.processingByWorker();
        for (String id : queues.keySet()) {
            long seq = activitySeq.merge(id, 2L, Long::sum);
            long heap = (64L << 20) + random.nextInt(256) * (1L << 20);
            long segments = random.nextInt(2048) * (1L << 20);
            long spilled = random.nextInt(4) == 0 ? random.nextInt(1024) * (1L << 20) : 0;
            List<WorkerLoad.Activity> activity = List.of(
                    new WorkerLoad.Activity(seq - 1, WorkerLoad.Activity.TRANSFER, now - 400, 30_000, 8 << 20, 2, "sim-001"),
                    new WorkerLoad.Activity(seq, WorkerLoad.Activity.SPILL, now - 200, 15_000, 16 << 20, 1, ""));
            loads.put(id, new WorkerLoad(id, Math.min(threads, processing.getOrDefault(id, 0)),
                    Math.max(0, processing.getOrDefault(id, 0) - threads), 100, segments, heap, heap + segments, now,
                    new WorkerLoad.MemoryByTier(heap, segments, spilled, 300L << 20, 8L << 30, (long) (0.8 * (8L << 30)), 200L << 20),
                    new WorkerLoad.TransferCounters(seq << 20, seq << 21, seq << 21, seq, seq, spilled, 0, seq / 2, 0, 0, 0, 0, 0),
                    paused(id), random.nextInt(400), now - 3_600_000, activity));
        }
    }

    /** Every 25th worker (w007, w032, ...) is over its pause threshold. */
    static boolean paused(String workerId) {
        return Integer.parseInt(workerId.substring(workerId.length() - 3)) % 25 == 7;
    }

    @Override
    public void close() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
}
