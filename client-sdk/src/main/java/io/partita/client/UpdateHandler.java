package io.partita.client;

import io.partita.common.protocol.ClientUpdate;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Applies the scheduler's {@link ClientUpdate}s to the client's key states, and keeps the requests still waiting for
 * an answer (graphs and scatter registrations) so that a refusal reaches whoever sent them.
 */
final class UpdateHandler {
    /** The client's logger: these messages are the client's. */
    private static final System.Logger LOG = System.getLogger(Client.class.getName());

    private final KeyTable keys;
    /** Where remote exceptions' classes are looked up. */
    private final ClassLoader loader;
    private final Consumer<ClientUpdate.Welcome> onWelcome;
    /**
     * Graphs sent and not yet accepted: the key states each introduced (to fail if it is refused) and the message
     * (to send again to a scheduler that takes over before answering).
     */
    private final ConcurrentHashMap<Long, PendingGraph> pending = new ConcurrentHashMap<>();

    record PendingGraph(List<KeyState> introduced, byte[] message) {}

    /** Notified whenever a graph is answered, for {@link #awaitRoomForGraph}. */
    private final Object answered = new Object();
    /** Set while this thread handles an update: whatever it runs then (a future's callback) must not wait for the next. */
    private static final ThreadLocal<Boolean> HANDLING = ThreadLocal.withInitial(() -> Boolean.FALSE);
    /** Requests with a one-off answer (scatter registrations, retirements) sent and not yet answered. */
    private final ConcurrentHashMap<Long, CompletableFuture<ClientUpdate>> replies = new ConcurrentHashMap<>();

    UpdateHandler(KeyTable keys, ClassLoader loader, Consumer<ClientUpdate.Welcome> onWelcome) {
        this.keys = keys;
        this.loader = loader;
        this.onWelcome = onWelcome;
    }

    /** Records graph {@code requestId} as sent; {@code introduced} fail if the scheduler refuses it. */
    void expectGraph(long requestId, List<KeyState> introduced, byte[] message) {
        pending.put(requestId, new PendingGraph(introduced, message));
    }

    /** The messages of the graphs not accepted yet, in the order they were sent. */
    List<byte[]> pendingGraphs() {
        return pending.entrySet().stream().sorted(Map.Entry.comparingByKey()).map(e -> e.getValue().message()).toList();
    }

    void forgetGraph(long requestId) {
        pending.remove(requestId);
    }

    /**
     * Waits while {@code max} graphs are unanswered, as long as {@code checkOpen} does not throw (the connection is
     * open: the scheduler answers every graph it received, or a scheduler taking over gets them again). Returns at
     * once on the thread that handles updates.
     */
    void awaitRoomForGraph(int max, Runnable checkOpen) throws InterruptedException {
        if (HANDLING.get()) {
            return;
        }
        synchronized (answered) {
            while (pending.size() >= max) {
                checkOpen.run();
                answered.wait(100); // woken by each answer; the timeout re-checks the connection
            }
        }
    }

    private void graphAnswered() {
        synchronized (answered) {
            answered.notifyAll();
        }
    }

    /**
     * Records request {@code requestId} as sent; the future completes with the scheduler's answer, or with a
     * {@link RequestRefusedException} when it refused the request.
     */
    CompletableFuture<ClientUpdate> expectReply(long requestId) {
        CompletableFuture<ClientUpdate> reply = new CompletableFuture<>();
        replies.put(requestId, reply);
        return reply;
    }

    void forgetReply(long requestId) {
        replies.remove(requestId);
    }

    private void answer(long requestId, ClientUpdate update) {
        CompletableFuture<ClientUpdate> r = replies.remove(requestId);
        if (r != null) {
            r.complete(update);
        }
    }

    /** Handles one update from the scheduler; runs on the WebSocket's thread and does not block. */
    void onUpdate(ClientUpdate update) {
        HANDLING.set(Boolean.TRUE);
        try {
            handle(update);
        } finally {
            HANDLING.set(Boolean.FALSE);
        }
    }

    private void handle(ClientUpdate update) {
        switch (update) {
            case ClientUpdate.GraphAccepted a -> {
                pending.remove(a.requestId());
                graphAnswered();
                answer(a.requestId(), a);
            }
            case ClientUpdate.RequestFailed f -> {
                PendingGraph graph = f.requestId() == 0 ? null : pending.remove(f.requestId());
                graphAnswered();
                List<KeyState> introduced = graph == null ? null : graph.introduced();
                CompletableFuture<ClientUpdate> reply = f.requestId() == 0 ? null : replies.remove(f.requestId());
                if (reply != null) {
                    reply.completeExceptionally(new RequestRefusedException(f.error()));
                } else if (introduced != null) {
                    GraphRejectedException rejected = new GraphRejectedException(f.error());
                    introduced.forEach(st -> st.failed(TaskStatus.ERROR, rejected));
                } else {
                    LOG.log(System.Logger.Level.WARNING, "the scheduler refused a message: {0}", f.error());
                }
            }
            case ClientUpdate.KeysFinished fin -> {
                for (ClientUpdate.KeyFinished k : fin.keys()) {
                    KeyState s = keys.get(k.key());
                    if (s != null) {
                        s.finished(k.holders(), k.type(), k.nbytes());
                    }
                }
            }
            case ClientUpdate.KeysErred err -> {
                Map<String, Throwable> byOrigin = new HashMap<>();
                for (ClientUpdate.KeyErred k : err.keys()) {
                    KeyState s = keys.get(k.key());
                    if (s != null) {
                        Throwable t = byOrigin.computeIfAbsent(k.error().originKey() + "\0" + k.error().type(),
                                o -> RemoteErrors.rebuild(k.error(), loader));
                        s.failed(TaskStatus.ERROR, t);
                    }
                }
            }
            case ClientUpdate.KeysCancelled c -> {
                for (String key : c.keys()) {
                    KeyState s = keys.get(key);
                    if (s != null) {
                        s.failed(TaskStatus.CANCELLED, new CancellationException("task " + key + " was cancelled"
                                + (c.reason() == null || c.reason().isEmpty() ? "" : ": " + c.reason())));
                    }
                }
            }
            case ClientUpdate.WorkersRetired r -> answer(r.requestId(), r);
            case ClientUpdate.WhoHasReply w -> { } // the client does not ask yet
            case ClientUpdate.Welcome w -> onWelcome.accept(w);
        }
    }

    /** The connection is gone: forgets the pending graphs, fails the registrations and every key held (LOST). */
    void failAll(PartitaException why) {
        pending.clear();
        for (Long id : List.copyOf(replies.keySet())) {
            CompletableFuture<ClientUpdate> r = replies.remove(id);
            if (r != null) {
                r.completeExceptionally(why);
            }
        }
        for (KeyState s : keys.all()) {
            s.failed(TaskStatus.LOST, why);
        }
    }
}
