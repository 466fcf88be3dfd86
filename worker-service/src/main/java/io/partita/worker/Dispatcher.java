package io.partita.worker;

import io.partita.common.protocol.WorkerCommand;
import io.partita.common.protocol.WorkerReport;
import io.partita.common.task.FunctionSpec;
import io.partita.worker.exec.TaskRunner;
import io.partita.worker.state.Instruction;
import io.partita.worker.state.WorkerEvent;
import io.partita.worker.state.WorkerState;
import io.partita.worker.store.ObjectStore;
import io.partita.worker.transfer.PeerFetcher;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * Glue between the pure {@link WorkerState} and I/O (the Dask {@code BaseWorker} role): all state changes run on one
 * Vert.x context; results from the task and fetch pools come back as events through a queue drained on that
 * context. Tasks about to start are reported before they run (one frame per event); finished tasks are coalesced and
 * reported in one frame per flush.
 */
final class Dispatcher {
    private static final long FLUSH_DELAY_MS = 1;

    private final Vertx vertx;
    private final Context context;
    private final WorkerState state;
    private final ObjectStore store;
    private final TaskRunner runner;
    private final PeerFetcher fetcher;
    private final ExecutorService taskPool;
    private final ExecutorService fetchPool;
    private final Consumer<WorkerReport> send;
    /** The scheduler said this worker's retirement is complete. */
    private final Runnable onRetired;
    /** Specs sent on the current scheduler connection (emptied with it, as the scheduler's record of them is). */
    private final SentFunctions functions = new SentFunctions();
    private final ConcurrentLinkedQueue<WorkerEvent> inbox = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean drainScheduled = new AtomicBoolean();
    private List<WorkerReport.TaskDone> done = new ArrayList<>();
    /** Tasks to start once the scheduler has been told (see {@link WorkerReport.TasksStarted}). */
    private final List<Instruction.Execute> starting = new ArrayList<>();
    private List<WorkerReport.TaskFailed> failed = new ArrayList<>();
    private boolean flushScheduled;
    private long stimuli;

    Dispatcher(Vertx vertx, Context context, WorkerState state, ObjectStore store, TaskRunner runner,
               PeerFetcher fetcher, ExecutorService taskPool, ExecutorService fetchPool, Consumer<WorkerReport> send,
               Runnable onRetired) {
        this.vertx = vertx;
        this.context = context;
        this.state = state;
        this.store = store;
        this.runner = runner;
        this.fetcher = fetcher;
        this.taskPool = taskPool;
        this.fetchPool = fetchPool;
        this.send = send;
        this.onRetired = onRetired;
    }

    /** Handles a command from the scheduler; call on the dispatcher's context. */
    void onCommand(WorkerCommand command) {
        switch (command) {
            case WorkerCommand.ExecuteTasks e -> {
                functions.received(e.functions());
                process(new WorkerEvent.TasksAssigned(nextStimulus("execute"), e.tasks()));
            }
            case WorkerCommand.FreeKeys f -> process(new WorkerEvent.KeysFreed(nextStimulus("free"), f.keys()));
            case WorkerCommand.StealTasks st -> process(new WorkerEvent.StealRequested(nextStimulus("steal"), st.keys()));
            case WorkerCommand.AcquireKeys a -> process(new WorkerEvent.AcquireRequested(nextStimulus("acquire"), a.keys()));
            case WorkerCommand.Retired r -> onRetired.run();
            case WorkerCommand.Registered r -> { }
            case WorkerCommand.Restart r -> { } // the connection stops the worker (SchedulerConnection)
            case WorkerCommand.Refused r -> { } // likewise
        }
    }

    /** The connection to the scheduler was lost; call on the dispatcher's context. */
    void schedulerLost() {
        functions.connectionLost(); // the scheduler that registers this worker again sends the specs anew
        process(new WorkerEvent.SchedulerLost(nextStimulus("scheduler-lost")));
    }

    /** Feeds an event from any thread; it is handled on the dispatcher's context. */
    void offer(WorkerEvent event) {
        inbox.add(event);
        if (drainScheduled.compareAndSet(false, true)) {
            context.runOnContext(v -> drain());
        }
    }

    private void drain() {
        drainScheduled.set(false);
        WorkerEvent event;
        while ((event = inbox.poll()) != null) {
            process(event);
        }
    }

    private void process(WorkerEvent event) {
        for (Instruction instruction : state.handle(event)) {
            switch (instruction) {
                case Instruction.Execute x -> starting.add(x);
                case Instruction.FetchInputs f -> fetchPool.execute(() -> {
                    PeerFetcher.Result r = fetcher.fetch(f.holder(), f.keys(), f.tables());
                    String sid = f.stimulusId() + "-fetched";
                    if (!r.received().isEmpty()) {
                        offer(new WorkerEvent.InputsFetched(sid, f.holder().workerId(), r.received()));
                    }
                    if (!r.missing().isEmpty()) {
                        offer(new WorkerEvent.FetchFailed(sid, f.holder().workerId(), r.missing(), r.error()));
                    }
                });
                case Instruction.ReportDone d -> {
                    done.add(d.done());
                    scheduleFlush();
                }
                case Instruction.ReportFailed f -> {
                    failed.add(f.failed());
                    scheduleFlush();
                }
                case Instruction.ReportFetchFailed f -> send.accept(f.failed());
                case Instruction.ReportStealResponse r -> send.accept(r.response());
                case Instruction.ReportAcquired r -> send.accept(r.acquired());
                case Instruction.Acquire a -> fetchPool.execute(() -> {
                    PeerFetcher.Result r = fetcher.acquire(a.holder(), a.keys());
                    offer(new WorkerEvent.KeysAcquired(a.stimulusId() + "-acquired", r.received(), r.missing()));
                });
                case Instruction.Drop d -> d.keys().forEach(store::remove);
            }
        }
        if (!starting.isEmpty()) {
            startTasks();
        }
    }

    /**
     * Reports, then runs, the tasks to start: the report is written on the event loop before any of them runs, so a
     * task that kills its worker at once is still known to have been running there.
     */
    private void startTasks() {
        send.accept(new WorkerReport.TasksStarted(starting.stream().map(x -> x.task().key()).toList()));
        for (Instruction.Execute x : starting) {
            FunctionSpec fn = functions.get(x.task().function());
            taskPool.execute(() -> offer(runner.run(x.task(), fn, x.stimulusId())));
        }
        starting.clear();
    }

    private void scheduleFlush() {
        if (!flushScheduled) {
            flushScheduled = true;
            vertx.setTimer(FLUSH_DELAY_MS, id -> flush());
        }
    }

    private void flush() {
        flushScheduled = false;
        if (!done.isEmpty()) {
            List<WorkerReport.TaskDone> batch = done;
            done = new ArrayList<>();
            send.accept(new WorkerReport.TasksDone(batch));
        }
        if (!failed.isEmpty()) {
            List<WorkerReport.TaskFailed> batch = failed;
            failed = new ArrayList<>();
            send.accept(new WorkerReport.TasksFailed(batch));
        }
    }

    private String nextStimulus(String what) {
        return what + "-" + (++stimuli);
    }

    int running() {
        return state.running();
    }

    /**
     * What this worker holds for a scheduler it registers with: the state says which keys (it alone records that),
     * the store their sizes. Call on the dispatcher's context.
     */
    List<WorkerReport.HeldKey> heldKeys() {
        return state.keysInOwnRight().stream().sorted().map(store::heldKey).filter(Objects::nonNull).toList();
    }

    int queued() {
        return state.queued();
    }
}
