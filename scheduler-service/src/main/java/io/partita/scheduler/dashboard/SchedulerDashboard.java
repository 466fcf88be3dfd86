package io.partita.scheduler.dashboard;

import io.partita.common.protocol.WorkerInfo;
import io.partita.common.protocol.WorkerLoad;
import io.partita.common.protocol.WorkerReport.TaskDone;
import io.partita.common.task.Keys;
import io.partita.dashboard.DashboardSource;
import io.partita.scheduler.state.Event;
import io.partita.scheduler.state.Instruction;
import io.partita.scheduler.state.SchedulerState;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The scheduler's side of the dashboard: follows the state's transitions (progress by group, the task graph), the
 * tasks workers report done and the transfers and spills in their published loads (the task stream), and answers
 * each page's data. Everything runs on the scheduler's event loop, which owns the state: no locks.
 */
public final class SchedulerDashboard implements DashboardSource {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(SchedulerDashboard.class);
    private final SchedulerState state;
    private final Map<String, WorkerLoad> loads;
    private final Supplier<JsonObject> summary;
    private final LongSupplier clock;
    private final TaskGroups groups = new TaskGroups();
    private final TaskStream stream = new TaskStream();
    private final TaskGraph graph;
    /** Per worker, the last activity sequence number taken into the stream. */
    private final Map<String, Long> activitySeen = new HashMap<>();
    private final Map<String, String> names = new HashMap<>();
    private boolean failed;

    /**
     * @param loads   the workers' last published loads by worker id (updated from other threads)
     * @param summary the scheduler's summary (role, counts) shown in every page's header
     */
    public SchedulerDashboard(SchedulerState state, Map<String, WorkerLoad> loads, Supplier<JsonObject> summary,
                              LongSupplier clock) {
        this.state = state;
        this.loads = loads;
        this.summary = summary;
        this.clock = clock;
        this.graph = new TaskGraph(state::dependencies);
        state.onTransition(t -> {
            try {
                groups.on(t);
                graph.on(t);
            } catch (RuntimeException e) { // the dashboard's trouble must not become the scheduler's
                if (!failed) {
                    failed = true;
                    LOG.error("the dashboard could not follow transition {}; its pages may be off from now on", t, e);
                }
            }
        });
    }

    /** Follows one batch of the scheduler loop: each task a worker reported done becomes a bar of the task stream. */
    public void observe(List<Event> events, List<Instruction> instructions) {
        for (Event e : events) {
            if (e instanceof Event.TasksFinished t) {
                tasksDone(t.workerId(), t.tasks());
            }
        }
    }

    /** {@code workerId} reported these tasks done: each becomes a bar of the task stream on its thread's row. */
    public void tasksDone(String workerId, List<TaskDone> done) {
        String worker = workerName(workerId);
        for (TaskDone d : done) {
            stream.add(worker, d.thread(), TaskStream.TASK, Keys.group(d.key()), d.key(), d.startMillis(), d.durationMicros());
        }
    }

    @Override
    public JsonObject summary() {
        return summary.get();
    }

    @Override
    public JsonObject page(Page page, long cursor) {
        long now = clock.getAsLong();
        JsonObject out = new JsonObject().put("page", page.name().toLowerCase(java.util.Locale.ROOT))
                .put("time", now).put("summary", summary.get()).put("cursor", cursor);
        return switch (page) {
            case STATUS -> {
                takeActivity();
                JsonObject spans = stream.since(cursor, now);
                yield out.put("cursor", spans.getLong("cursor")).put("groups", groups.json(now))
                        .put("workers", workers(false)).put("stream", spans);
            }
            case WORKERS -> out.put("workers", workers(true));
            case GRAPH -> out.put("graph", graph.json(groups));
        };
    }

    /** Transfers and spills the workers published since we last looked, into the stream. */
    private void takeActivity() {
        for (WorkerLoad load : loads.values()) {
            long seen = activitySeen.getOrDefault(load.workerId(), 0L);
            long last = seen;
            String worker = null;
            for (WorkerLoad.Activity a : load.activity()) {
                if (a.seq() > seen) {
                    worker = worker == null ? workerName(load.workerId()) : worker;
                    String label = switch (a.kind()) {
                        case WorkerLoad.Activity.TRANSFER -> a.keys() + " keys from " + workerName(a.peer());
                        default -> a.kind();
                    };
                    stream.add(worker, 0, a.kind(), a.kind(), label + " (" + a.bytes() + " bytes)", a.startMillis(),
                            a.durationMicros());
                    last = Math.max(last, a.seq());
                }
            }
            if (last < seen) {
                last = 0; // the worker restarted: its numbers start again
            }
            activitySeen.put(load.workerId(), last);
        }
        activitySeen.keySet().retainAll(loads.keySet());
    }

    private String workerName(String workerId) {
        String name = names.get(workerId);
        if (name == null) { // a worker we have not named yet: a worker's name never changes
            state.workers().forEach(w -> names.put(w.workerId(), w.name()));
            name = names.getOrDefault(workerId, workerId);
        }
        return name;
    }

    private JsonArray workers(boolean details) {
        Map<String, Integer> processing = state.processingByWorker();
        long now = clock.getAsLong();
        JsonArray out = new JsonArray();
        for (WorkerInfo info : state.workers()) {
            WorkerLoad load = loads.get(info.workerId());
            WorkerLoad.MemoryByTier m = load == null ? WorkerLoad.MemoryByTier.EMPTY : load.memory();
            long limit = m.limit() > 0 ? m.limit() : info.memoryLimit();
            JsonObject w = new JsonObject().put("id", info.workerId()).put("name", info.name())
                    .put("nthreads", info.nthreads())
                    .put("processing", processing.getOrDefault(info.workerId(), 0))
                    .put("paused", load != null && load.paused())
                    .put("memory", new JsonObject().put("heap", m.heap()).put("segments", m.segments())
                            .put("spilled", m.spilled()).put("unmanaged", m.unmanaged()).put("tableEngine", m.tableEngine()).put("limit", limit)
                            .put("pauseAt", m.pauseAt()));
            if (details) {
                WorkerLoad.TransferCounters t = load == null ? WorkerLoad.TransferCounters.EMPTY : load.transfers();
                w.put("host", info.host()).put("hostId", info.hostId())
                        .put("running", load == null ? 0 : load.running())
                        .put("queued", load == null ? 0 : load.queued())
                        .put("storedKeys", load == null ? 0 : load.storedKeys())
                        .put("storedBytes", load == null ? 0 : load.storedBytes())
                        .put("cpu", load == null ? 0 : Math.round(load.cpuPercent() * 10) / 10.0)
                        .put("uptimeMs", load == null || load.startedMillis() == 0 ? 0 : now - load.startedMillis())
                        .put("lastSeenMs", load == null ? -1 : now - load.timestampMillis())
                        .put("transfers", new JsonObject()
                                .put("segmentIn", t.segmentInBytes()).put("flightIn", t.flightInBytes())
                                .put("flightOut", t.flightOutBytes())
                                .put("bulkIn", t.bulkInBytes()).put("bulkOut", t.bulkOutBytes()).put("spilled", t.spilledBytes())
                                .put("unspilled", t.unspilledBytes()));
            }
            out.add(w);
        }
        return out;
    }
}
