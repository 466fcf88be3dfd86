package io.partita.client;

import io.partita.common.codec.MessageCodec;
import io.partita.common.protocol.ClientRequest;
import io.partita.common.protocol.ClientUpdate;
import io.partita.common.protocol.WorkerCommand;
import io.partita.common.protocol.WorkerInfo;
import io.partita.common.protocol.WorkerStatus;
import io.partita.scheduler.state.Event;
import io.partita.scheduler.state.Instruction;
import io.partita.scheduler.state.SchedulerLimits;
import io.partita.scheduler.state.SchedulerState;
import io.vertx.core.Context;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.ServerWebSocket;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The scheduler's real, pure {@link SchedulerState} behind the client API, for the client's tests: serves
 * {@code /api/client} (CBOR ClientRequest in, ClientUpdate out, each request turned into its {@link Event} as the
 * scheduler's verticle does), {@code /api/workers} and {@code /api/artifacts}, on one Vert.x event loop, with one
 * simulated worker ({@link TestWorker}, registered as {@link Event.WorkerJoined}) that runs the tasks it is sent and
 * serves their results over Flight, and a second Flight endpoint on the same data that plays the scheduler's proxy.
 */
final class TestScheduler implements AutoCloseable {
    static final String WORKER_ID = "w1";
    private static final long MAX_MESSAGE_BYTES = 1L << 28;

    private final Vertx vertx = Vertx.vertx();
    private final Context context = vertx.getOrCreateContext();
    private final String token;
    final Set<String> artifacts = ConcurrentHashMap.newKeySet();
    final AtomicInteger artifactPosts = new AtomicInteger();
    /** Every request the clients sent, in order. */
    final List<ClientRequest> received = new CopyOnWriteArrayList<>();
    private final SchedulerState state = new SchedulerState("sched-1", SchedulerLimits.defaults(), artifacts::contains);
    private final Map<String, ServerWebSocket> clients = new HashMap<>();
    final TestWorker worker;
    private final HttpServer http;
    private long stimulus;
    private int clientCount;
    /** When set, RegisterScattered is refused with this error before the state sees it (a fault to inject). */
    volatile String refuseScatter;

    /** @param token the cluster token the client API requires, or null for none */
    TestScheduler(String token) throws Exception {
        this.token = token;
        this.worker = new TestWorker(WORKER_ID, (id, events) -> context.runOnContext(v -> events.forEach(this::handle)));
        WorkerInfo info = new WorkerInfo(WORKER_ID, "worker-1", "127.0.0.1", "h1", worker.flightUri(), 0, 2, 0, Map.of(),
                1, "", "");
        Promise<HttpServer> started = Promise.promise();
        context.runOnContext(v -> {
            handle(new Event.WorkerJoined(sid(), info, List.of()));
            vertx.createHttpServer(new HttpServerOptions().setMaxWebSocketMessageSize((int) MAX_MESSAGE_BYTES))
                    .requestHandler(this::request).listen(0, "127.0.0.1").onComplete(started);
        });
        http = started.future().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    String address() {
        return "127.0.0.1:" + http.actualPort();
    }

    /** The worker's own Flight server goes away: clients can reach its data only through the proxy now. */
    void workerUnreachable() throws InterruptedException {
        worker.stopDirectFlight();
    }

    private void request(HttpServerRequest req) {
        if (token != null && !("Bearer " + token).equals(req.getHeader("Authorization"))) {
            req.response().setStatusCode(401).end("unauthenticated: this cluster requires its token");
            return;
        }
        String path = req.path();
        if (path.equals("/api/client")) {
            req.toWebSocket().onSuccess(this::clientConnected);
        } else if (path.equals("/api/workers")) {
            req.response().putHeader("Content-Type", "application/json").end(MessageCodec.toJson(
                    state.workers().stream().map(w -> new WorkerStatus(w, null)).toList()));
        } else if (path.startsWith("/api/artifacts/")) {
            String sha = path.substring("/api/artifacts/".length());
            switch (req.method().name()) {
                case "HEAD" -> req.response().setStatusCode(artifacts.contains(sha) ? 200 : 404).end();
                case "POST" -> req.body().onSuccess(b -> {
                    artifactPosts.incrementAndGet();
                    artifacts.add(sha);
                    req.response().setStatusCode(201).end();
                });
                default -> req.response().setStatusCode(405).end();
            }
        } else {
            req.response().setStatusCode(404).end();
        }
    }

    private void clientConnected(ServerWebSocket ws) {
        String clientId = String.format("client-%08x", ++clientCount);
        clients.put(clientId, ws);
        send(ws, new ClientUpdate.Welcome(clientId, "sched-1", MAX_MESSAGE_BYTES, worker.proxyUri(), 1000));
        handle(new Event.ClientConnected(sid(), clientId));
        ws.binaryMessageHandler(buffer -> {
            ClientRequest request = MessageCodec.fromCbor(buffer.getBytes(), ClientRequest.class, MAX_MESSAGE_BYTES);
            received.add(request);
            String sid = sid();
            if (request instanceof ClientRequest.RegisterScattered r && refuseScatter != null) {
                send(ws, new ClientUpdate.RequestFailed(r.requestId(), refuseScatter));
                return;
            }
            handle(switch (request) {
                case ClientRequest.SubmitGraph r -> new Event.GraphSubmitted(sid, clientId, r.requestId(), r.graph());
                case ClientRequest.ReleaseKeys r -> new Event.KeysReleased(sid, clientId, r.keys());
                case ClientRequest.CancelKeys r -> new Event.CancelRequested(sid, clientId, r.requestId(), r.keys());
                case ClientRequest.WhoHas r -> new Event.WhoHasAsked(sid, clientId, r.requestId(), r.keys());
                case ClientRequest.RetireWorkers r -> new Event.RetireRequested(sid, clientId, r.requestId(), r.workers());
                case ClientRequest.RegisterScattered r -> new Event.DataScattered(sid, clientId, r.requestId(), r.workerId(), r.keys());
            });
        });
        ws.closeHandler(v -> {
            if (clients.remove(clientId, ws)) {
                handle(new Event.ClientDisconnected(sid(), clientId));
            }
        });
    }

    private String sid() {
        return "test-" + (++stimulus);
    }

    /** On the event loop: one event into the state, its instructions carried out. */
    private void handle(Event e) {
        for (Instruction i : state.handle(List.of(e), System.currentTimeMillis())) {
            switch (i) {
                case Instruction.SendToClient s -> {
                    ServerWebSocket ws = clients.get(s.clientId());
                    if (ws != null) {
                        send(ws, s.update());
                    }
                }
                case Instruction.SendToWorker s -> {
                    WorkerCommand command = s.command();
                    context.runOnContext(v -> worker.accept(command)); // after this event, as over a socket
                }
                // nothing stored for a standby here: a graph is "stored" at once, as the loop would report it
                case Instruction.PersistGraph p -> context.runOnContext(v ->
                        handle(new Event.GraphPersisted("persisted", p.clientId(), p.requestId(), null)));
                case Instruction.ForgetGraph f -> { }
            }
        }
        state.checkInvariants();
    }

    private static void send(ServerWebSocket ws, ClientUpdate u) {
        if (!ws.isClosed()) {
            ws.writeBinaryMessage(Buffer.buffer(MessageCodec.toCbor(u)));
        }
    }

    @Override
    public void close() throws Exception {
        http.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        worker.close();
    }
}
