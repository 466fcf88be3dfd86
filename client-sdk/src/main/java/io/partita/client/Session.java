package io.partita.client;

import io.partita.common.codec.MessageCodec;
import io.partita.common.protocol.ClientRequest;
import io.partita.common.protocol.ClientUpdate;
import io.partita.common.tls.TlsConfig;
import io.partita.common.tls.TlsFailures;
import java.io.ByteArrayOutputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.ByteBuffer;
import java.nio.channels.UnresolvedAddressException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * The client WebSocket {@code /api/client}: one CBOR {@link ClientRequest} per binary message up, one CBOR
 * {@link ClientUpdate} down. Sends go through one thread in order (the JDK WebSocket allows one send at a time), in
 * frames of at most 64 KiB so that servers with default frame limits accept large graphs. Updates are decoded on the
 * HTTP client's threads and handed to the handler, which must not block.
 */
final class Session implements WebSocket.Listener, Transport {
    private static final System.Logger LOG = System.getLogger(Session.class.getName());
    static final int FRAME_BYTES = 64 * 1024;

    private final Consumer<ClientUpdate> handler;
    private final Consumer<Throwable> onClosed;
    private final CompletableFuture<ClientUpdate.Welcome> welcome = new CompletableFuture<>();
    private final ExecutorService sender = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "partita-client-sender");
        t.setDaemon(true);
        return t;
    });
    private ByteArrayOutputStream partial;
    private volatile WebSocket ws;
    private volatile boolean closing;

    private Session(Consumer<ClientUpdate> handler, Consumer<Throwable> onClosed) {
        this.handler = handler;
        this.onClosed = onClosed;
    }

    /** Opens the session and waits for the scheduler's Welcome. */
    /** @param resumeClientId the id this client had with a previous scheduler (after a failover), or null */
    /** @param tls whether the scheduler is reached over {@code wss} (the HTTP client carries the TLS context) */
    static Session open(HttpClient http, TlsConfig tls, String hostPort, Optional<String> authHeader, Duration timeout,
                        String resumeClientId, Consumer<ClientUpdate> handler, Consumer<Throwable> onClosed) {
        Session s = new Session(handler, onClosed);
        WebSocket.Builder b = http.newWebSocketBuilder().connectTimeout(timeout);
        authHeader.ifPresent(h -> b.header("Authorization", h));
        try {
            s.ws = b.buildAsync(URI.create(tls.webSocketScheme() + "://" + hostPort + "/api/client"
                    + (resumeClientId == null ? "" : "?client=" + resumeClientId)), s).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            s.welcomeOf(hostPort, timeout);
            return s;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            s.shutdown();
            throw new PartitaException("interrupted while connecting to " + hostPort, e);
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            s.shutdown();
            throw connectFailure(hostPort, tls, e instanceof ExecutionException ? e.getCause() : e);
        }
    }

    private void welcomeOf(String hostPort, Duration timeout) throws ExecutionException, TimeoutException, InterruptedException {
        try {
            welcome.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new PartitaException("the scheduler at " + hostPort + " accepted the connection but sent no Welcome within "
                    + timeout.toMillis() + " ms: is it a partita-scheduler?");
        }
    }

    ClientUpdate.Welcome welcome() {
        return welcome.join();
    }

    static boolean isStandbyRefusal(PartitaException e) {
        return e.getMessage() != null && e.getMessage().contains(" is a standby (HTTP 503)");
    }

    static PartitaException connectFailure(String hostPort, TlsConfig tls, Throwable cause) {
        java.util.Optional<String> tlsProblem = TlsFailures.explain(cause, "the scheduler at " + hostPort);
        if (tlsProblem.isPresent()) {
            // "TLS: " first: retrying cannot change a refused certificate (Connection gives up at once)
            return new PartitaException((TlsFailures.permanent(cause) ? "TLS: " : "") + tlsProblem.get(), cause);
        }
        Throwable c = cause;
        while (c != null) {
            if (c instanceof PartitaException p) {
                return p;
            }
            if (c instanceof WebSocketHandshakeException h) {
                int status = h.getResponse().statusCode();
                if (status == 401 || status == 403) {
                    return new PartitaException("unauthenticated: the scheduler at " + hostPort + " refused the connection (HTTP "
                            + status + "); pass the cluster token with ClientOptions.withToken(...) or PARTITA_AUTH_TOKEN", h);
                }
                if (status == 503) {
                    return new PartitaException("the scheduler at " + hostPort + " is a standby (HTTP 503); no active "
                            + "scheduler accepted the client among the addresses given", h);
                }
                return new PartitaException("the scheduler at " + hostPort + " refused the client connection (HTTP " + status
                        + "): is it a partita-scheduler of a compatible version?", h);
            }
            if (c instanceof ConnectException || c instanceof HttpConnectTimeoutException
                    || c instanceof UnresolvedAddressException || c instanceof java.nio.channels.ClosedChannelException
                    || c instanceof HttpTimeoutException || c instanceof TimeoutException) {
                return new PartitaException("cannot reach the scheduler at " + hostPort + ": is partita-scheduler running? ("
                        + c + ")", cause);
            }
            c = c.getCause();
        }
        String hint = tls.enabled() ? "" : "; if it serves TLS, connect with tls://" + hostPort + " or ClientOptions.withTlsCa(...)";
        return new PartitaException("cannot reach the scheduler at " + hostPort + ": is partita-scheduler running? ("
                + io.partita.common.net.Causes.describe(cause) + ")" + hint, cause);
    }

    /** Encodes on the calling thread and queues the message; sends keep the order of calls. */
    CompletableFuture<Void> send(ClientRequest request) {
        byte[] bytes = MessageCodec.toCbor(request);
        return send(bytes);
    }

    @Override
    public CompletableFuture<Void> send(byte[] bytes) {
        CompletableFuture<Void> sent = new CompletableFuture<>();
        try {
            sender.execute(() -> {
                try {
                    WebSocket w = ws;
                    if (bytes.length <= FRAME_BYTES) {
                        w.sendBinary(ByteBuffer.wrap(bytes), true).join();
                    } else {
                        for (int off = 0; off < bytes.length; off += FRAME_BYTES) {
                            int len = Math.min(FRAME_BYTES, bytes.length - off);
                            w.sendBinary(ByteBuffer.wrap(bytes, off, len), off + len >= bytes.length).join();
                        }
                    }
                    sent.complete(null);
                } catch (RuntimeException e) {
                    sent.completeExceptionally(new PartitaException("cannot send to the scheduler: " + e.getMessage(), e));
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            sent.completeExceptionally(new PartitaException("the client is closed"));
        }
        return sent;
    }

    @Override
    public void onOpen(WebSocket webSocket) {
        webSocket.request(1);
    }

    @Override
    public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
        byte[] bytes;
        if (last && partial == null) {
            bytes = new byte[data.remaining()];
            data.get(bytes);
        } else {
            if (partial == null) {
                partial = new ByteArrayOutputStream(Math.max(1024, data.remaining() * 2));
            }
            byte[] chunk = new byte[data.remaining()];
            data.get(chunk);
            partial.writeBytes(chunk);
            if (!last) {
                webSocket.request(1);
                return null;
            }
            bytes = partial.toByteArray();
            partial = null;
        }
        try {
            ClientUpdate update = MessageCodec.fromCbor(bytes, ClientUpdate.class, Long.MAX_VALUE);
            if (update instanceof ClientUpdate.Welcome w) {
                welcome.complete(w);
            } else {
                handler.accept(update);
            }
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "dropped an update from the scheduler: " + e.getMessage(), e);
        }
        webSocket.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
        LOG.log(System.Logger.Level.WARNING, "unexpected text frame from the scheduler: {0}", data);
        webSocket.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
        ended(new PartitaException("the scheduler closed the connection (" + statusCode
                + (reason == null || reason.isEmpty() ? "" : ": " + reason) + ")"));
        return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
        ended(new PartitaException("the connection to the scheduler failed: " + error, error));
    }

    private void ended(PartitaException why) {
        welcome.completeExceptionally(why);
        if (!closing) {
            onClosed.accept(why);
        }
        sender.shutdown();
    }

    boolean isOpen() {
        WebSocket w = ws;
        return w != null && !w.isOutputClosed() && !w.isInputClosed();
    }

    /** Closes the WebSocket (the scheduler then drops this client's references). */
    @Override
    public void close() {
        closing = true;
        WebSocket w = ws;
        if (w != null) {
            try {
                sender.submit(() -> w.sendClose(WebSocket.NORMAL_CLOSURE, "client closed")
                        .orTimeout(2, TimeUnit.SECONDS).exceptionally(e -> null).join()).get(3, TimeUnit.SECONDS);
            } catch (Exception e) {
                // closing anyway
            }
            w.abort();
        }
        shutdown();
    }

    private void shutdown() {
        sender.shutdownNow();
    }
}
