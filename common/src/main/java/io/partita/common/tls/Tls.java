package io.partita.common.tls;

import io.grpc.netty.GrpcSslContexts;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509ExtendedTrustManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A process's TLS, carried out: one per process, shared by all its servers and clients, closed with the process.
 *
 * <p>Every TLS stack we run gets the same two managers: {@link #keyManager()} presents the key and certificate read
 * last, {@link #trustManager()} checks peers against the CA file read last. The JDK (the HTTP client, the bulk path's
 * sockets), Netty under gRPC (Flight servers and clients) and Vert.x (the HTTP and WebSocket servers, the worker's
 * WebSocket) all ask them at each handshake, so a file replaced on disk counts from the next new connection on, with
 * no server rebuilt and no restart; connections already open keep the certificate they were made with. A watcher
 * reads the files every {@link #RELOAD_INTERVAL} and compares their SHA-256 (a write, a rename, a Kubernetes secret's
 * symlink swap are all seen); a reading that fails (a key that does not match its certificate yet, half way through
 * a rotation) keeps the previous material and is tried again at the next tick.
 *
 * <p>Why not Vert.x's {@code updateSSLOptions}: it reloads Vert.x's servers only, and gRPC's Netty servers have no
 * such call; one reloading key manager serves the three stacks alike.
 */
public final class Tls implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Tls.class);
    /** How often the files are compared with what was read. */
    public static final Duration RELOAD_INTERVAL = Duration.ofSeconds(2);
    private static final Tls OFF = new Tls();

    private final TlsConfig config;
    private final AtomicLong generation = new AtomicLong();
    private final AtomicLong reloads = new AtomicLong();
    private volatile TlsMaterial current;
    /** The reading before the current one: handshakes that chose its alias just before a reload still find it. */
    private volatile TlsMaterial previous;
    private final X509ExtendedKeyManager keyManager;
    private final X509ExtendedTrustManager trustManager;
    private final SSLContext sslContext;
    private final ScheduledExecutorService watcher;
    private String fingerprint;
    private String failedFingerprint;
    private volatile SslContext grpcServer;
    private volatile SslContext grpcClient;

    private Tls() {
        this.config = TlsConfig.none();
        this.keyManager = null;
        this.trustManager = null;
        this.sslContext = null;
        this.watcher = null;
    }

    private Tls(TlsConfig config, Duration reloadEvery) throws IOException {
        this.config = config;
        this.fingerprint = TlsMaterial.fingerprint(config);
        this.current = TlsMaterial.read(config, generation.incrementAndGet());
        this.keyManager = config.hasCertificate() ? new ReloadingKeyManager(() -> current, this::byAlias) : null;
        this.trustManager = new ReloadingTrustManager(() -> current);
        try {
            this.sslContext = SSLContext.getInstance("TLS");
            sslContext.init(keyManager == null ? new KeyManager[0] : new KeyManager[] {keyManager},
                    new TrustManager[] {trustManager}, null);
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot set up TLS: " + e.getMessage(), e);
        }
        LOG.info("{}: {}", config, current.describe());
        this.watcher = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("partita-tls-reload").daemon().factory());
        long ms = reloadEvery.toMillis();
        watcher.scheduleWithFixedDelay(this::check, ms, ms, TimeUnit.MILLISECONDS);
    }

    /** TLS off: clear text everywhere. */
    public static Tls off() {
        return OFF;
    }

    /** Reads the files of {@code config} (failing with a message that names the file) and starts watching them. */
    public static Tls start(TlsConfig config) throws IOException {
        return start(config, RELOAD_INTERVAL);
    }

    public static Tls start(TlsConfig config, Duration reloadEvery) throws IOException {
        return config.enabled() ? new Tls(config, reloadEvery) : OFF;
    }

    /** {@link #start}, for callers that cannot throw: the file problem as an {@link IllegalArgumentException}. */
    public static Tls startOrFail(TlsConfig config) {
        try {
            return start(config);
        } catch (IOException e) {
            throw new IllegalArgumentException("TLS: " + e.getMessage(), e);
        }
    }

    public TlsConfig config() {
        return config;
    }

    public boolean enabled() {
        return config.enabled();
    }

    /** The key manager of this process's certificate; null when it has none (a client without mutual TLS). */
    public X509ExtendedKeyManager keyManager() {
        return keyManager;
    }

    public X509ExtendedTrustManager trustManager() {
        return requireEnabled(trustManager);
    }

    /** For the JDK's HTTP client and sockets. */
    public SSLContext sslContext() {
        return requireEnabled(sslContext);
    }

    /** The protocols of the configuration, and the server's name checked against its certificate (HTTPS rules). */
    public SSLParameters clientParameters() {
        SSLParameters p = sslContext().getDefaultSSLParameters();
        p.setProtocols(config.protocols().toArray(String[]::new));
        p.setEndpointIdentificationAlgorithm("HTTPS");
        return p;
    }

    /** The certificate this process presents now; null without one. */
    public X509Certificate certificate() {
        TlsMaterial m = current;
        return m == null || m.chain() == null ? null : m.chain()[0];
    }

    /** How many times new files were read since the start. */
    public long reloads() {
        return reloads.get();
    }

    /** Netty's context for gRPC servers (Flight): JDK provider, HTTP/2's ALPN, client certificates when required. */
    public SslContext grpcServerContext() {
        SslContext c = grpcServer;
        if (c == null) {
            if (keyManager == null) {
                throw new IllegalStateException("a TLS server needs --tls-cert and --tls-key");
            }
            SslContextBuilder b = GrpcSslContexts.configure(SslContextBuilder.forServer(keyManager), SslProvider.JDK)
                    .protocols(config.protocols());
            if (config.clientAuth()) {
                b.clientAuth(ClientAuth.REQUIRE).trustManager(trustManager);
            }
            grpcServer = c = build(b);
        }
        return c;
    }

    /** Netty's context for gRPC clients (Flight): the server verified, this process's certificate offered when it has one. */
    public SslContext grpcClientContext() {
        SslContext c = grpcClient;
        if (c == null) {
            SslContextBuilder b = GrpcSslContexts.configure(SslContextBuilder.forClient(), SslProvider.JDK)
                    .protocols(config.protocols()).trustManager(trustManager());
            if (keyManager != null) {
                b.keyManager(keyManager);
            }
            grpcClient = c = build(b);
        }
        return c;
    }

    private static SslContext build(SslContextBuilder b) {
        try {
            return b.build();
        } catch (SSLException e) {
            throw new UncheckedIOException(e);
        }
    }

    private <T> T requireEnabled(T value) {
        if (!config.enabled()) {
            throw new IllegalStateException("TLS is off");
        }
        return value;
    }

    private TlsMaterial byAlias(String alias) {
        TlsMaterial c = current;
        if (c != null && c.alias().equals(alias)) {
            return c;
        }
        TlsMaterial p = previous;
        return p != null && p.alias().equals(alias) ? p : null;
    }

    /** The watcher's tick: reads the files again when their content changed. */
    void check() {
        try {
            String now = TlsMaterial.fingerprint(config);
            if (now.equals(fingerprint) || now.equals(failedFingerprint)) {
                return;
            }
            TlsMaterial next;
            try {
                next = TlsMaterial.read(config, generation.incrementAndGet());
            } catch (IOException e) {
                failedFingerprint = now; // warn once per content; a further change is tried again
                LOG.warn("TLS files changed but cannot be used yet; keeping the previous certificate: {}", e.getMessage());
                return;
            }
            previous = current;
            current = next;
            fingerprint = now;
            failedFingerprint = null;
            reloads.incrementAndGet();
            LOG.info("TLS files reloaded; new connections get {}", next.describe());
        } catch (IOException | RuntimeException e) {
            LOG.warn("cannot read the TLS files (a rotation under way?); keeping the previous certificate: {}", e.toString());
        }
    }

    @Override
    public void close() {
        if (watcher != null) {
            watcher.shutdownNow();
        }
    }

    @Override
    public String toString() {
        return Objects.toString(config);
    }
}
