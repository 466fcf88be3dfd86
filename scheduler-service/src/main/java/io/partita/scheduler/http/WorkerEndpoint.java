package io.partita.scheduler.http;

import io.partita.common.codec.MessageCodec;
import io.partita.common.codec.ProtocolException;
import io.partita.common.protocol.WorkerCommand;
import io.partita.common.protocol.WorkerReport;
import io.partita.scheduler.cluster.HazelcastCluster;
import io.partita.scheduler.loop.SchedulerLoop;
import io.partita.scheduler.state.Event;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ServerWebSocket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The worker WebSocket ({@code /api/worker}): each binary CBOR report decoded into an event, nothing more. */
public final class WorkerEndpoint {
    private static final Logger LOG = LoggerFactory.getLogger(WorkerEndpoint.class);
    /** How long a registering worker's Hazelcast member may take to show in this scheduler's view of the cluster. */
    private static final int MEMBER_CHECKS = 100;
    private static final long MEMBER_CHECK_MS = 100;

    private final Vertx vertx;
    private final SchedulerLoop loop;
    private final HazelcastCluster cluster;
    private final long maxMessageBytes;

    public WorkerEndpoint(Vertx vertx, SchedulerLoop loop, HazelcastCluster cluster, long maxMessageBytes) {
        this.vertx = vertx;
        this.loop = loop;
        this.cluster = cluster;
        this.maxMessageBytes = maxMessageBytes;
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
            String sid = loop.stimulus("worker");
            if (report instanceof WorkerReport.RegisterWorker r) {
                admitWhenMember(ws, r, sid, workerId, 0);
            } else if (workerId[0] == null) {
                LOG.warn("ignoring {} from a worker that has not registered", report.getClass().getSimpleName());
            } else {
                loop.submit(event(sid, workerId[0], report));
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
        };
    }

    /**
     * Registers the worker once its Hazelcast member is in the cluster (failure detection rests on it, and its load
     * comes through it). A worker whose member is not there after {@link #MEMBER_CHECKS} checks was dropped (cut off
     * by the network for longer than the heartbeat timeout, its keys recomputed elsewhere) and reconnected with its
     * old identity: it is told to restart ({@link WorkerCommand.Restart}), so that a fresh worker joins in its place.
     */
    private void admitWhenMember(ServerWebSocket ws, WorkerReport.RegisterWorker r, String sid, String[] workerId, int checks) {
        if (ws.isClosed()) {
            return;
        }
        String member = r.info().memberUuid();
        if (member != null && !member.isBlank() && !cluster.hasMember(member)) {
            if (checks < MEMBER_CHECKS) {
                vertx.setTimer(MEMBER_CHECK_MS, t -> admitWhenMember(ws, r, sid, workerId, checks + 1));
                return;
            }
            String reason = "its Hazelcast member " + member + " is not in the cluster (it was dropped, for example after "
                    + "the network cut it off for longer than the heartbeat timeout)";
            LOG.warn("worker {} ({}) tried to register, but {}: telling it to restart", r.info().name(), r.info().workerId(), reason);
            ws.writeBinaryMessage(Buffer.buffer(MessageCodec.toCbor((WorkerCommand) new WorkerCommand.Restart(reason))))
                    .onComplete(x -> ws.close());
            return;
        }
        workerId[0] = r.info().workerId();
        loop.workerConnected(workerId[0], ws);
        LOG.info("worker {} ({}) registered with {} threads", r.info().name(), r.info().workerId(), r.info().nthreads());
        loop.submit(new Event.WorkerJoined(sid, r.info(), r.heldKeys()));
    }

    /** {@code workerId} left: its connection closed, or its Hazelcast member left the cluster. */
    public void gone(String workerId, String reason) {
        loop.dropWorker(workerId);
        if (loop.state().hasWorker(workerId)) {
            LOG.info("worker {} left: {}", workerId, reason);
        }
        loop.submit(new Event.WorkerLeft(loop.stimulus("worker-left"), workerId, reason)); // the state ignores a second report
    }
}
