package io.partita.client;

import io.partita.common.config.SchedulerAddresses;
import io.partita.common.tls.TlsConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * How to connect: the scheduler's address ({@code host:port}, port 8786 by default), the cluster token (by default
 * from the environment variable {@code PARTITA_AUTH_TOKEN}), the connect timeout, how results are gathered, and TLS.
 *
 * <p>TLS ({@code https}, {@code wss} and {@code grpc+tls} to the scheduler and the workers, each server verified):
 * on when the address has a TLS scheme ({@code tls://host:8786}, {@code https://host:8786}) or {@code PARTITA_TLS_CA}
 * names the cluster's CA file, or with {@link #withTlsCa} / {@link #withTls}; without a CA file the JVM's trust store
 * verifies the servers. Under mutual TLS the client presents {@link #withTlsClientCertificate its own certificate}.
 *
 * <p>Tables: a join's broadcast side (the frame sent whole to every task of the other side) may hold at most
 * {@link #withMaxBroadcastBytes} bytes; past it the join fails, naming the sizes, before the other side runs.
 *
 * @param tls               {@link TlsConfig#none()} for clear text (the default)
 * @param maxBroadcastBytes the most a join's broadcast side may hold, 0 for the default (256 MiB, or the
 *                          {@code partita.table.max-broadcast-bytes} system property)
 */
public record ClientOptions(String address, Optional<String> token, Duration connectTimeout, GatherMode gatherMode, TlsConfig tls,
                            long maxBroadcastBytes) {
    public static final String TOKEN_ENV = "PARTITA_AUTH_TOKEN";
    /** Names the cluster's CA file and turns TLS on, for clients made with {@link #of}. */
    public static final String TLS_CA_ENV = "PARTITA_TLS_CA";
    public static final int DEFAULT_PORT = 8786;

    public ClientOptions {
        Objects.requireNonNull(address, "address");
        token = token == null ? Optional.empty() : token.filter(t -> !t.isBlank());
        connectTimeout = connectTimeout == null ? Duration.ofSeconds(10) : connectTimeout;
        gatherMode = gatherMode == null ? GatherMode.AUTO : gatherMode;
        tls = tls == null ? TlsConfig.none() : tls;
        if (maxBroadcastBytes < 0) {
            throw new IllegalArgumentException("maxBroadcastBytes must be 0 (the default) or more, not " + maxBroadcastBytes);
        }
    }

    /** With the default broadcast limit. */
    public ClientOptions(String address, Optional<String> token, Duration connectTimeout, GatherMode gatherMode, TlsConfig tls) {
        this(address, token, connectTimeout, gatherMode, tls, 0);
    }

    /** Without TLS. */
    public ClientOptions(String address, Optional<String> token, Duration connectTimeout, GatherMode gatherMode) {
        this(address, token, connectTimeout, gatherMode, null);
    }

    /**
     * Options for {@code address} with the token from {@code PARTITA_AUTH_TOKEN} (if set), TLS when the address asks
     * for it or {@code PARTITA_TLS_CA} is set, and defaults otherwise.
     */
    public static ClientOptions of(String address) {
        String ca = System.getenv(TLS_CA_ENV);
        TlsConfig tls = ca != null && !ca.isBlank() ? TlsConfig.client(Path.of(ca))
                : SchedulerAddresses.asksForTls(address) ? TlsConfig.client(null) : TlsConfig.none();
        return new ClientOptions(address, Optional.ofNullable(System.getenv(TOKEN_ENV)), null, null, tls);
    }

    public ClientOptions withToken(String token) {
        return new ClientOptions(address, Optional.ofNullable(token), connectTimeout, gatherMode, tls, maxBroadcastBytes);
    }

    public ClientOptions withConnectTimeout(Duration timeout) {
        return new ClientOptions(address, token, timeout, gatherMode, tls, maxBroadcastBytes);
    }

    public ClientOptions withGatherMode(GatherMode mode) {
        return new ClientOptions(address, token, connectTimeout, mode, tls, maxBroadcastBytes);
    }

    /** TLS as given ({@link TlsConfig#client}, {@link TlsConfig#none()}). */
    public ClientOptions withTls(TlsConfig tls) {
        return new ClientOptions(address, token, connectTimeout, gatherMode, tls, maxBroadcastBytes);
    }

    /** The most bytes a join's broadcast side may hold (Arrow bytes once computed; a scan's uncompressed size). */
    public ClientOptions withMaxBroadcastBytes(long bytes) {
        if (bytes <= 0) {
            throw new IllegalArgumentException("the broadcast limit must be positive, not " + bytes);
        }
        return new ClientOptions(address, token, connectTimeout, gatherMode, tls, bytes);
    }

    /** TLS on, the servers verified against the CA certificates in {@code caFile} (PEM) rather than the JVM's trust store. */
    public ClientOptions withTlsCa(Path caFile) {
        return withTls(tls.enabled() ? tls.withCa(caFile) : TlsConfig.client(caFile));
    }

    /** TLS on, presenting this certificate (PEM chain) and key: for a cluster with mutual TLS ({@code --tls-client-auth}). */
    public ClientOptions withTlsClientCertificate(Path cert, Path key) {
        return withTls((tls.enabled() ? tls : TlsConfig.client(null)).withClientCertificate(cert, key));
    }

    /** {@code host:port} without any scheme; the port defaults to 8786. */
    public String hostPort() {
        String a = address.trim();
        int scheme = a.indexOf("://");
        if (scheme >= 0) {
            a = a.substring(scheme + 3);
        }
        if (a.endsWith("/")) {
            a = a.substring(0, a.length() - 1);
        }
        int colon = a.lastIndexOf(':');
        boolean hasPort = colon > 0 && a.indexOf(']') < colon;
        return hasPort ? a : a + ":" + DEFAULT_PORT;
    }

    public String host() {
        String hp = hostPort();
        return hp.substring(0, hp.lastIndexOf(':'));
    }

    @Override
    public String toString() {
        return "ClientOptions[address=" + address + ", token=" + (token.isPresent() ? "set" : "none")
                + ", connectTimeout=" + connectTimeout + ", gatherMode=" + gatherMode + ", " + tls
                + (maxBroadcastBytes > 0 ? ", maxBroadcastBytes=" + maxBroadcastBytes : "") + "]";
    }
}
