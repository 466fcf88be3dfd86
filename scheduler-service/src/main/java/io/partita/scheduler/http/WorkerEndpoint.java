package io.partita.scheduler.http;

import io.partita.common.codec.MessageCodec;
import io.partita.common.codec.ProtocolException;
import io.partita.common.protocol.WorkerCommand;
import io.partita.common.protocol.WorkerLoad;
import io.partita.common.protocol.WorkerReport;
import io.partita.scheduler.cluster.SealedMap;
import io.partita.scheduler.loop.SchedulerLoop;
import io.partita.scheduler.metrics.ClusterLoad;
import io.partita.scheduler.state.Event;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ServerWebSocket;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The worker WebSocket ({@code /api/worker}): each binary CBOR report decoded into an event, and the workers'
 * liveness and load from what arrives on it. The connection is authenticated; nothing else (no Hazelcast event)
 * admits or removes a worker.
 */
public final class WorkerEndpoint {
    private static final Logger LOG = LoggerFactory.getLogger(WorkerEndpoint.class);

    private final SchedulerLoop loop;
    private final SealedMap registered;
    private final long maxMessageBytes;
    private final WorkerLiveness liveness;
    private final Map<String, WorkerLoad> loads = new ConcurrentHashMap<>();
    private final ClusterLoad totals = new ClusterLoad();

    /**
     * @param registered where the workers registered here are written, for a scheduler taking over to wait for
     */
    public WorkerEndpoint(Vertx vertx, SchedulerLoop loop, SealedMap registered, long maxMessageBytes, long timeoutMillis) {
        this.loop = loop;
        this.registered = registered;
        this.maxMessageBytes = maxMessageBytes;
        this.liveness = new WorkerLiveness(timeoutMillis);
        vertx.setPeriodic(Math.max(10, Math.min(1_000, timeoutMillis / 4)), id -> {
            for (String workerId : liveness.overdue(System.currentTimeMillis())) {
                gone(workerId, "nothing heard from it for more than " + timeoutMillis + " ms");
            }
        });
    }

    /** The registered workers' latest loads, by worker id; read from any thread. */
    public Map<String, WorkerLoad> loads() {
        return loads;
    }

    /** The workers' loads summed, with transfer counts kept across workers leaving (for /metrics). */
    public ClusterLoad totals() {
        return totals;
    }

    void connected(ServerWebSocket ws) {
        String[] workerId = new String[1];
        ws.binaryMessageHandler(buffer -> {
            WorkerReport report;
            try {
                report = MessageCodec.fromCbor(buffer.getBytes(), WorkerReport.class, maxMessageBytes);
            } catch (ProtocolException e) {
                LOG.warn("ignoring a bad message from worker {}: {}", workerId[0], e.getMessage());
                return;
            }
            if (report instanceof WorkerReport.RegisterWorker r) {
                register(ws, r, workerId);
            } else if (workerId[0] == null || !loop.isWorkerConnection(workerId[0], ws)) {
                if (report instanceof WorkerReport.Load) {
                    return; // a load racing the registration, or after the worker was dropped
                }
                LOG.warn("ignoring {} from a worker that has not registered", report.getClass().getSimpleName());
            } else {
                liveness.heard(workerId[0], System.currentTimeMillis());
                if (report instanceof WorkerReport.Load l) {
                    if (l.load().workerId().equals(workerId[0])) {
                        loads.put(workerId[0], l.load());
                        totals.published(l.load());
                    }
                } else {
                    loop.submit(event(loop.stimulus("worker"), workerId[0], report));
                }
            }
        });
        ws.closeHandler(v -> {
            if (workerId[0] != null && loop.isWorkerConnection(workerId[0], ws)) {
                gone(workerId[0], "its connection closed");
            }
        });
    }

    private static Event event(String sid, String workerId, WorkerReport report) {
        return switch (report) {
            case WorkerReport.TasksStarted r -> new Event.TasksStarted(sid, workerId, r.keys());
            case WorkerReport.TasksDone r -> new Event.TasksFinished(sid, workerId, r.tasks());
            case WorkerReport.TasksFailed r -> new Event.TasksFailed(sid, workerId, r.tasks());
            case WorkerReport.FetchFailed r -> new Event.FetchFailed(sid, workerId, r.key(), r.dependency(),
                    r.holderWorkerId(), r.error());
            case WorkerReport.StealResponse r -> new Event.StealAnswered(sid, workerId, r.released(), r.kept());
            case WorkerReport.Retiring r -> new Event.WorkerRetiring(sid, workerId);
            case WorkerReport.KeysAcquired r -> new Event.KeysAcquired(sid, workerId, r.acquired(), r.failed());
            case WorkerReport.RegisterWorker r -> throw new IllegalStateException("registration is not a report");
            case WorkerReport.Load r -> throw new IllegalStateException("a load is not an event");
        };
    }

    /**
     * Registers the worker. One this scheduler declared lost for its silence (cut off by the network for longer than
     * the worker timeout, its keys recomputed elsewhere) that reconnects with its old identity is told to restart
     * ({@link WorkerCommand.Restart}), so that a fresh worker joins in its place.
     */
    private void register(ServerWebSocket ws, WorkerReport.RegisterWorker r, String[] workerId) {
        String id = r.info().workerId();
        if (liveness.declaredLost(id)) {
            String reason = "it was declared lost after nothing was heard from it for more than "
                    + liveness.timeoutMillis() + " ms (for example the network cut it off), and its keys were recomputed elsewhere";
            LOG.warn("worker {} ({}) tried to register, but {}: telling it to restart", r.info().name(), id, reason);
            ws.writeBinaryMessage(Buffer.buffer(MessageCodec.toCbor((WorkerCommand) new WorkerCommand.Restart(reason))))
                    .onComplete(x -> ws.close());
            return;
        }
        java.util.Optional<io.partita.common.protocol.WorkerInfo> namesake = loop.state().workers().stream()
                .filter(w -> w.name().equals(r.info().name()) && !w.workerId().equals(id)).findFirst();
        if (namesake.isPresent()) { // as Dask: names identify workers to users (dashboard, logs, resources)
            String reason = "a worker named " + r.info().name() + " is already registered (" + namesake.get().workerId()
                    + " on " + namesake.get().host() + "): give each worker a name of its own (--name)";
            LOG.warn("refused worker {} from {}: {}", id, r.info().host(), reason);
            ws.writeBinaryMessage(Buffer.buffer(MessageCodec.toCbor((WorkerCommand) new WorkerCommand.Refused(reason))))
                    .onComplete(x -> ws.close());
            return;
        }
        workerId[0] = id;
        loop.workerConnected(id, ws);
        liveness.heard(id, System.currentTimeMillis());
        registered.setAsync(id, r.info().name().getBytes(StandardCharsets.UTF_8)).exceptionally(e -> {
            LOG.warn("cannot record worker {} for a standby: {}", id, e.toString());
            return null;
        });
        LOG.info("worker {} ({}) registered with {} threads", r.info().name(), id, r.info().nthreads());
        loop.submit(new Event.WorkerJoined(loop.stimulus("worker"), r.info(), r.heldKeys()));
    }

    /** {@code workerId} left: its connection closed, or nothing was heard from it for the timeout. */
    public void gone(String workerId, String reason) {
        loop.dropWorker(workerId);
        liveness.left(workerId);
        loads.remove(workerId);
        registered.removeAsync(workerId);
        if (loop.state().hasWorker(workerId)) {
            LOG.info("worker {} left: {}", workerId, reason);
        }
        loop.submit(new Event.WorkerLeft(loop.stimulus("worker-left"), workerId, reason)); // the state ignores a second report
    }
}
