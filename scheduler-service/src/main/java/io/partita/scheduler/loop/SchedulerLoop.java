package io.partita.scheduler.loop;

import io.partita.common.codec.MessageCodec;
import io.partita.common.protocol.ClientRequest;
import io.partita.scheduler.state.Event;
import io.partita.scheduler.state.Instruction;
import io.partita.scheduler.state.SchedulerState;
import io.partita.scheduler.store.GraphStore;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ServerWebSocket;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one event loop that owns the scheduler's state: hands it events in batches (everything that arrived within one
 * loop turn) and carries out the instructions it returns: messages to the connected clients and workers, and the
 * accepted graphs stored for a standby. Decides nothing itself. Observers (metrics, the dashboard) see each batch.
 * Used on its Vert.x context only.
 */
public final class SchedulerLoop {
    private static final Logger LOG = LoggerFactory.getLogger(SchedulerLoop.class);

    /** Sees every batch: the events handled and the instructions they produced (after they were carried out). */
    public interface Observer {
        void observe(List<Event> events, List<Instruction> instructions);
    }

    private final Context context;
    private final SchedulerState state;
    private final AtomicLong stimuli = new AtomicLong();
    private final Map<String, ServerWebSocket> clients = new HashMap<>();
    private final Map<String, ServerWebSocket> workers = new HashMap<>();
    private final List<Observer> observers = new ArrayList<>();
    private GraphStore graphs;
    private List<Event> pending = new ArrayList<>();
    private boolean flushScheduled;

    public SchedulerLoop(Context context, SchedulerState state) {
        this.context = context;
        this.state = state;
    }

    /** Where PersistGraph and ForgetGraph go; until set (Hazelcast starting), a graph is answered as not stored. */
    public void storeGraphsIn(GraphStore store) {
        this.graphs = store;
    }

    public void observe(Observer observer) {
        observers.add(observer);
    }

    /** The state, to read on this loop (routes, the dashboard); only {@link #submit} changes it. */
    public SchedulerState state() {
        return state;
    }

    /** A new stimulus id: {@code what} and a number unique on this scheduler. */
    public String stimulus(String what) {
        return what + "-" + stimuli.incrementAndGet();
    }

    /** Queues {@code event}; the state handles it with the others of this loop turn. */
    public void submit(Event event) {
        pending.add(event);
        if (!flushScheduled) {
            flushScheduled = true;
            context.runOnContext(v -> flush());
        }
    }

    /** {@code ws} is now client {@code clientId}'s connection; the one it replaces is closed. */
    public void clientConnected(String clientId, ServerWebSocket ws) {
        replace(clients.put(clientId, ws), ws);
    }

    /** True when {@code ws} was {@code clientId}'s current connection (and is no longer). */
    /** Clients connected now. */
    public int clientCount() {
        return clients.size();
    }

    public boolean clientClosed(String clientId, ServerWebSocket ws) {
        return clients.remove(clientId, ws);
    }

    public boolean hasClient(String clientId) {
        return clients.containsKey(clientId);
    }

    public void workerConnected(String workerId, ServerWebSocket ws) {
        replace(workers.put(workerId, ws), ws);
    }

    public boolean isWorkerConnection(String workerId, ServerWebSocket ws) {
        return workers.get(workerId) == ws;
    }

    /** Closes worker {@code workerId}'s connection, if any. */
    public void dropWorker(String workerId) {
        ServerWebSocket ws = workers.remove(workerId);
        if (ws != null) {
            ws.close();
        }
    }

    private static void replace(ServerWebSocket previous, ServerWebSocket ws) {
        if (previous != null && previous != ws) {
            previous.close();
        }
    }

    private void flush() {
        flushScheduled = false;
        List<Event> events = pending;
        pending = new ArrayList<>();
        List<Instruction> instructions;
        try {
            instructions = state.handle(events, System.currentTimeMillis());
        } catch (RuntimeException e) {
            LOG.error("scheduler state failed on a batch of {} events; state may be inconsistent", events.size(), e);
            return;
        }
        for (Instruction instruction : instructions) {
            carryOut(instruction);
        }
        for (Observer o : observers) {
            o.observe(events, instructions);
        }
    }

    private void carryOut(Instruction instruction) {
        switch (instruction) {
            case Instruction.SendToWorker s -> send(workers.get(s.workerId()), s.command());
            case Instruction.SendToClient s -> send(clients.get(s.clientId()), s.update());
            case Instruction.PersistGraph p -> persist(p);
            case Instruction.ForgetGraph f -> {
                if (graphs != null) {
                    graphs.remove(f.clientId(), f.requestId());
                }
            }
        }
    }

    private void persist(Instruction.PersistGraph p) {
        if (graphs == null) {
            submit(new Event.GraphPersisted(stimulus("persisted"), p.clientId(), p.requestId(), "no graph store yet"));
            return;
        }
        byte[] bytes = p.encoded() != null ? p.encoded()
                : MessageCodec.toCbor((ClientRequest) new ClientRequest.SubmitGraph(p.requestId(), p.graph()));
        Future.fromCompletionStage(graphs.put(p.clientId(), p.requestId(), bytes), context).onComplete(r -> {
            String error = r.failed() ? r.cause().toString() : null;
            if (error != null) {
                LOG.warn("graph {} of client {} is not in Hazelcast ({}): a standby could not replay it",
                        p.requestId(), p.clientId(), error);
            }
            submit(new Event.GraphPersisted(stimulus("persisted"), p.clientId(), p.requestId(), error));
        });
    }

    /** Sends {@code message} as one binary CBOR frame, unless the connection is gone. */
    public static void send(ServerWebSocket ws, Object message) {
        if (ws != null && !ws.isClosed()) {
            ws.writeBinaryMessage(Buffer.buffer(MessageCodec.toCbor(message)));
        }
    }
}
