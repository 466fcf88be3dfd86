package io.partita.worker.cluster;

import io.partita.common.auth.ClusterToken;
import io.partita.common.codec.MessageCodec;
import io.partita.common.config.SchedulerAddresses;
import io.partita.common.net.Backoff;
import io.partita.common.net.Causes;
import io.partita.common.protocol.WorkerCommand;
import io.partita.common.protocol.WorkerReport;
import io.partita.common.tls.Tls;
import io.partita.common.tls.TlsFailures;
import io.partita.common.tls.VertxTls;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The worker's WebSocket to the active scheduler ({@code /api/worker}). It connects to the first of the schedulers it
 * was given that accepts it (a standby answers 503), sends the registration, and when the connection is lost (the
 * scheduler died, a standby took over) it reconnects the same way, within the connect timeout, registering again
 * with the keys the worker holds, so that the scheduler that took over finds them instead of recomputing them.
 */
public final class SchedulerConnection implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SchedulerConnection.class);
    /** Pauses between rounds over the schedulers: 100 ms doubling up to 1 s. */
    static final Backoff RETRY = Backoff.exponential(Duration.ofMillis(100), Duration.ofSeconds(1));

    private final Vertx vertx;
    private final Context context;
    private final SchedulerAddresses schedulers;
    private final ClusterToken token;
    private final Duration timeout;
    private final long maxMessageBytes;
    private final Supplier<WorkerReport.RegisterWorker> registration;
    private final Consumer<WorkerCommand> commands;
    private final Runnable lost;
    private final Consumer<String> gaveUp;
    /** Held for the worker's life: Vert.x 5 shuts down a client that becomes unreachable, even mid-handshake. */
    private final WebSocketClient client;
    private volatile WebSocket socket;
    private volatile String address = "";
    private volatile CompletableFuture<String> registered = new CompletableFuture<>();
    private volatile boolean closed;
    /** Set when the scheduler answered {@link WorkerCommand.Restart}: no reconnecting then. */
    private volatile boolean refused;
    /** Why a scheduler refused this worker for good ({@link WorkerCommand.Refused}); null otherwise. */
    private volatile String refusal;
    private volatile boolean everRegistered;

    /**
     * @param registration builds the registration message at each connection (with the keys held then)
     * @param commands     every command from the scheduler, on the connection's context
     * @param lost         called once a connection is lost, before reconnecting
     * @param gaveUp       called with the reason when no scheduler accepted the worker within the timeout again, or
     *                     a scheduler answered {@link WorkerCommand.Restart}
     */
    public SchedulerConnection(Vertx vertx, Context context, SchedulerAddresses schedulers, ClusterToken token, Tls tls,
                               Duration timeout, long maxMessageBytes, Supplier<WorkerReport.RegisterWorker> registration,
                               Consumer<WorkerCommand> commands, Runnable lost, Consumer<String> gaveUp) {
        this.vertx = vertx;
        this.context = context;
        this.schedulers = schedulers;
        this.token = token;
        this.timeout = timeout;
        this.maxMessageBytes = maxMessageBytes;
        this.registration = registration;
        this.commands = commands;
        this.lost = lost;
        this.gaveUp = gaveUp;
        this.client = vertx.createWebSocketClient(VertxTls.client(new WebSocketClientOptions()
                .setMaxFrameSize((int) maxMessageBytes).setMaxMessageSize((int) maxMessageBytes), tls));
    }

    /** Blocks until a scheduler registered this worker; throws when none did within the timeout. */
    public void connect() throws InterruptedException {
        String problem = connectAny(System.nanoTime() + timeout.toNanos());
        if (refusal != null) {
            throw new IllegalArgumentException(refusal); // a configuration error: exit code 2
        }
        if (problem != null) {
            throw new ClusterJoin.SchedulerUnreachableException("no scheduler registered this worker within "
                    + timeout.toSeconds() + " s (" + problem + ")");
        }
    }

    /** The address of the scheduler this worker is registered with. */
    public String address() {
        return address;
    }

    public boolean isRegistered() {
        WebSocket ws = socket;
        return ws != null && !ws.isClosed() && registered.isDone() && !registered.isCompletedExceptionally();
    }

    /** Sends on the current connection; dropped while there is none (the next registration carries the state). */
    public void send(WorkerReport report) {
        WebSocket ws = socket;
        if (ws != null && !ws.isClosed()) {
            ws.writeBinaryMessage(Buffer.buffer(MessageCodec.toCbor(report)));
        }
    }

    @Override
    public void close() {
        closed = true;
        WebSocket ws = socket;
        if (ws != null) {
            ws.close();
        }
    }

    /** Tries every scheduler in turn, with back-off, until one registers this worker; returns null, or the last problem. */
    private String connectAny(long deadline) throws InterruptedException {
        String problem = "no attempt";
        long now = System.nanoTime();
        Backoff.Attempts attempts = RETRY.withDeadline(Duration.ofNanos(Math.max(0, deadline - now))).start(now);
        while (!closed && !refused) {
            for (String a : schedulers.resolve()) {
                problem = attempt(a, deadline);
                if (problem == null) {
                    return null;
                }
                LOG.warn("registering with the scheduler failed: {}", problem);
            }
            java.util.Optional<Duration> pause = attempts.next(System.nanoTime());
            if (pause.isEmpty()) {
                return problem;
            }
            Thread.sleep(pause.get()); // retry back-off, not waiting for an outcome
        }
        return "the worker is stopping";
    }

    /** One connection attempt to {@code hostPort}: null when registered, else why not. */
    private String attempt(String hostPort, long deadline) throws InterruptedException {
        int colon = hostPort.lastIndexOf(':');
        WebSocketConnectOptions options = new WebSocketConnectOptions().setHost(hostPort.substring(0, colon))
                .setPort(Integer.parseInt(hostPort.substring(colon + 1))).setURI("/api/worker");
        token.headerValue().ifPresent(v -> options.addHeader("Authorization", v));
        CompletableFuture<String> reg = new CompletableFuture<>();
        CompletableFuture<WebSocket> opened = new CompletableFuture<>();
        context.runOnContext(v -> client.connect(options).onComplete((ws, err) -> {
            if (err != null) {
                opened.completeExceptionally(err);
                return;
            }
            registered = reg;
            socket = ws;
            address = hostPort;
            ws.binaryMessageHandler(buffer -> onFrame(buffer, reg));
            ws.closeHandler(x -> onClosed(ws, reg));
            ws.exceptionHandler(e -> LOG.warn("worker WebSocket error: {}", e.toString()));
            ws.writeBinaryMessage(Buffer.buffer(MessageCodec.toCbor(registration.get())));
            opened.complete(ws);
        }));
        long waitMs = Math.max(1, Math.min(TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()), 15_000));
        try {
            opened.get(waitMs, TimeUnit.MILLISECONDS);
            reg.get(waitMs, TimeUnit.MILLISECONDS);
            return null;
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            WebSocket ws = opened.isDone() && !opened.isCompletedExceptionally() ? opened.join() : null;
            if (ws != null) { // opened but not registered: drop it quietly (it is not a lost connection)
                if (socket == ws) {
                    socket = null;
                }
                ws.close();
            }
            return hostPort + ": " + (e.getCause() == null ? "no answer within " + waitMs + " ms"
                    : TlsFailures.explain(e.getCause(), "the scheduler at " + hostPort).orElse(Causes.describe(e.getCause())));
        }
    }

    private void onFrame(Buffer buffer, CompletableFuture<String> reg) {
        WorkerCommand command;
        try {
            command = MessageCodec.fromCbor(buffer.getBytes(), WorkerCommand.class, maxMessageBytes);
        } catch (RuntimeException e) {
            LOG.warn("ignoring a message from the scheduler that does not decode: {}", e.getMessage());
            return;
        }
        if (command instanceof WorkerCommand.Registered r) {
            everRegistered = true;
            reg.complete(r.schedulerId());
        }
        if (command instanceof WorkerCommand.Refused r) {
            refusal = "the scheduler at " + address + " refused this worker: " + r.reason();
            refused = true;
            reg.completeExceptionally(new IllegalArgumentException(r.reason()));
            if (everRegistered) { // on a reconnect the worker is running: stop it (the first connect() throws)
                gaveUp.accept(refusal);
            }
            return;
        }
        if (command instanceof WorkerCommand.Restart r) {
            refused = true; // no reconnecting: this worker is to stop and be started afresh
            reg.completeExceptionally(new IllegalStateException(r.reason()));
            gaveUp.accept("the scheduler at " + address + " will not take this worker back: " + r.reason());
            return;
        }
        commands.accept(command);
    }

    private void onClosed(WebSocket ws, CompletableFuture<String> reg) {
        reg.completeExceptionally(new IllegalStateException("the scheduler closed the connection before registering this worker"));
        if (closed || refused || ws != socket) {
            return;
        }
        socket = null;
        LOG.warn("lost the scheduler at {}; reconnecting to the active scheduler (at most {} s)", address, timeout.toSeconds());
        Thread.ofPlatform().name("partita-worker-reconnect").start(() -> {
            lost.run();
            try {
                String problem = connectAny(System.nanoTime() + timeout.toNanos());
                if (problem == null) {
                    LOG.info("registered again, with the scheduler at {}", address);
                } else if (!closed && !refused) {
                    gaveUp.accept("no scheduler registered this worker again within " + timeout.toSeconds() + " s (" + problem + ")");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                LOG.error("reconnecting failed", e);
                gaveUp.accept(e.toString());
            }
        });
    }
}
