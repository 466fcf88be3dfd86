package io.partita.client;

import io.partita.common.auth.ClusterToken;
import io.partita.common.codec.MessageCodec;
import io.partita.common.config.SchedulerAddresses;
import io.partita.common.net.Backoff;
import io.partita.common.protocol.ClientRequest;
import io.partita.common.protocol.ClientUpdate;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The client's session with the active scheduler: opens it (trying every scheduler it knows, with back-off), sends
 * requests on it, numbers them, and when the scheduler goes away, reconnects to whichever scheduler takes over,
 * resuming under the same client id and sending again the graphs not accepted yet. Knows when the client is closed,
 * or gave up, and why. Thread-safe.
 */
final class Connection {
    /** How long a client that lost its scheduler keeps trying the schedulers it knows before its futures fail. */
    static final Duration RECONNECT_TIMEOUT = Duration.ofSeconds(60);
    /** Pauses between rounds over the schedulers: 100 ms doubling up to 1 s. */
    static final Backoff RETRY = Backoff.exponential(Duration.ofMillis(100), Duration.ofSeconds(1));
    private static final System.Logger LOG = System.getLogger(Client.class.getName());

    private final SchedulerAddresses schedulers;
    private final ClientOptions options;
    private final ClusterToken token;
    /** Null in tests wired to a transport: no reconnecting then. */
    private final HttpClient http;
    private final UpdateHandler updates;
    private final Consumer<ClientUpdate.Welcome> onWelcome;
    private final AtomicLong requestIds = new AtomicLong();
    /** The scheduler this client is connected to ({@code host:port}). */
    private volatile String active;
    /** This client's id at the scheduler (from its Welcome), kept across a failover. */
    private volatile String clientId;
    private volatile boolean closing;
    /** Completes with the transport once connected; a new, pending one while reconnecting (sends wait on it). */
    private volatile CompletableFuture<Transport> connected = new CompletableFuture<>();
    private volatile Transport transport;
    private volatile PartitaException closedBecause;

    /** @param onWelcome each Welcome, the first and those after a reconnect, before any send on that session */
    Connection(ClientOptions options, HttpClient http, UpdateHandler updates, Consumer<ClientUpdate.Welcome> onWelcome) {
        this.options = options;
        this.schedulers = SchedulerAddresses.parse(options.address());
        this.token = new ClusterToken(options.token());
        this.active = schedulers.first();
        this.http = http;
        this.updates = updates;
        this.onWelcome = onWelcome;
    }

    /** The scheduler this client talks to now ({@code host:port}). */
    String active() {
        return active;
    }

    Optional<String> authHeader() {
        return token.headerValue();
    }

    /** Connects (one round over the schedulers, longer when a standby answered) and waits for the Welcome. */
    void open() {
        connected(openAny(Duration.ZERO));
    }

    /** Wires this connection to {@code t} instead of a scheduler (tests). */
    void openForTesting(Transport t, ClientUpdate.Welcome welcome) {
        clientId = welcome.clientId();
        onWelcome.accept(welcome);
        transport = t;
        connected.complete(t);
    }

    private void connected(Session session) {
        clientId = session.welcome().clientId();
        onWelcome.accept(session.welcome());
        transport = session;
        connected.complete(session);
    }

    /**
     * Opens a session with the first scheduler that welcomes this client (a standby refuses it), trying them in turn
     * for {@code within} (at least one round); resumes under this client's id once it has one. When a standby
     * answered, the active scheduler exists or is taking over: the client keeps trying for the connect timeout at
     * least (behind a load-balanced Service, the next try may reach the active one).
     */
    private Session openAny(Duration within) {
        PartitaException last = null;
        Backoff.Attempts attempts = RETRY.withDeadline(within).start(System.nanoTime());
        while (true) {
            for (String address : schedulers.resolve()) {
                try {
                    Session session = Session.open(http, options.tls(), address, token.headerValue(), options.connectTimeout(),
                            clientId, updates::onUpdate, this::onConnectionLost);
                    active = address;
                    return session;
                } catch (PartitaException e) {
                    if (e.getMessage().startsWith("unauthenticated") || e.getMessage().startsWith("TLS: ")) {
                        throw e; // retrying cannot fix a wrong token or a refused certificate
                    }
                    if (Session.isStandbyRefusal(e)) {
                        attempts.extendDeadline(options.connectTimeout());
                    }
                    last = e;
                }
            }
            Optional<Duration> pause = attempts.next(System.nanoTime());
            if (closing || pause.isEmpty()) {
                throw last;
            }
            try {
                Thread.sleep(pause.get()); // retry back-off, not waiting for an outcome
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new PartitaException("interrupted while reconnecting", e);
            }
        }
    }

    /**
     * The scheduler went away: reconnect to whichever scheduler is active (a standby takes over), resuming under the
     * same client id, and send again the graphs it had not accepted yet. Futures fail only if no scheduler takes this
     * client back within {@link #RECONNECT_TIMEOUT}.
     */
    private void onConnectionLost(Throwable why) {
        if (closing || http == null) {
            return;
        }
        PartitaException e = why instanceof PartitaException p ? p : new PartitaException(String.valueOf(why), why);
        CompletableFuture<Transport> waiting = new CompletableFuture<>();
        connected = waiting;
        LOG.log(System.Logger.Level.WARNING, "lost the scheduler at {0} ({1}); reconnecting", active, e.getMessage());
        Thread.ofPlatform().daemon().name("partita-client-reconnect").start(() -> {
            try {
                Session session = openAny(RECONNECT_TIMEOUT);
                clientId = session.welcome().clientId();
                onWelcome.accept(session.welcome());
                transport = session;
                for (byte[] graph : updates.pendingGraphs()) {
                    session.send(graph);
                }
                waiting.complete(session);
                LOG.log(System.Logger.Level.INFO, "reconnected to the scheduler at {0} as {1}", active, clientId);
            } catch (RuntimeException failed) {
                PartitaException gone = new PartitaException(e.getMessage() + "; no scheduler took this client back within "
                        + RECONNECT_TIMEOUT.toSeconds() + " s (" + failed.getMessage() + ")", e);
                closedBecause = gone;
                waiting.completeExceptionally(gone);
                updates.failAll(gone);
            }
        });
    }

    long nextRequestId() {
        return requestIds.incrementAndGet();
    }

    CompletableFuture<Void> send(ClientRequest request) {
        return send(MessageCodec.toCbor(request));
    }

    /** Sends on the current session; while reconnecting, once connected again. */
    CompletableFuture<Void> send(byte[] cborRequest) {
        return connected.thenCompose(t -> t.send(cborRequest));
    }

    boolean isClosed() {
        return closedBecause != null;
    }

    void checkOpen() {
        PartitaException e = closedBecause;
        if (e != null) {
            throw new PartitaException("the client is not connected: " + e.getMessage(), e);
        }
    }

    /** Closes the session (the scheduler drops all this client's references) and fails what still waits on it. */
    void close() {
        closing = true;
        if (closedBecause == null) {
            closedBecause = new PartitaException("the client was closed");
        }
        Transport t = transport;
        if (t != null) {
            t.close();
        }
        updates.failAll(closedBecause);
    }
}
