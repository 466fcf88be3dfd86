package io.partita.common.tls;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * Whether a process speaks TLS, and with which PEM files. The same record serves servers (the scheduler and workers:
 * a certificate and key of their own, required) and clients (the SDK: a certificate only for mutual TLS). What it
 * says is carried out by one {@link Tls} per process, which also reloads the files when they change.
 *
 * @param enabled    TLS on every endpoint this process serves or calls; off: everything in clear text, as before
 * @param cert       PEM certificate chain (leaf first) this process presents; null for a client without one
 * @param key        PEM private key of {@code cert} (PKCS#8, or PKCS#1 RSA / SEC1 EC as cert-manager and openssl write)
 * @param ca         PEM certificates trusted to sign peers' certificates; null: the JVM's trust store
 * @param clientAuth servers require a client certificate signed by {@code ca} (mutual TLS) on the client API, the
 *                   worker API, every Flight server and the bulk path; the dashboard never asks for one, a worker's
 *                   {@code /health} and {@code /metrics} answer without one
 * @param protocols  TLS versions accepted and offered; {@code TLSv1.3} only by default
 */
public record TlsConfig(boolean enabled, Path cert, Path key, Path ca, boolean clientAuth, List<String> protocols) {
    public static final List<String> DEFAULT_PROTOCOLS = List.of("TLSv1.3");
    private static final Set<String> KNOWN_PROTOCOLS = Set.of("TLSv1.3", "TLSv1.2");
    private static final TlsConfig NONE = new TlsConfig(false, null, null, null, false, DEFAULT_PROTOCOLS);

    public TlsConfig {
        protocols = protocols == null || protocols.isEmpty() ? DEFAULT_PROTOCOLS : List.copyOf(protocols);
        for (String p : protocols) {
            if (!KNOWN_PROTOCOLS.contains(p)) {
                throw new IllegalArgumentException("TLS protocol " + p + " is not accepted: give TLSv1.3, or TLSv1.3,TLSv1.2");
            }
        }
        if (!enabled && (cert != null || key != null || ca != null || clientAuth)) {
            throw new IllegalArgumentException("TLS files given with TLS off");
        }
        if ((cert == null) != (key == null)) {
            throw new IllegalArgumentException(cert == null ? "--tls-key needs --tls-cert, the certificate of that key"
                    : "--tls-cert needs --tls-key, the private key of that certificate");
        }
        if (clientAuth && ca == null) {
            throw new IllegalArgumentException("--tls-client-auth needs --tls-ca: the CA that signs the clients' certificates");
        }
    }

    /** TLS off: every endpoint in clear text. */
    public static TlsConfig none() {
        return NONE;
    }

    /** A server's TLS: its certificate and key, the CA its peers' certificates chain to (null: the JVM's trust store). */
    public static TlsConfig server(Path cert, Path key, Path ca, boolean clientAuth) {
        return new TlsConfig(true, cert, key, ca, clientAuth, DEFAULT_PROTOCOLS);
    }

    /** A client's TLS: the CA that signed the servers' certificates (null: the JVM's trust store), no certificate. */
    public static TlsConfig client(Path ca) {
        return new TlsConfig(true, null, null, ca, false, DEFAULT_PROTOCOLS);
    }

    public TlsConfig withClientCertificate(Path cert, Path key) {
        return new TlsConfig(true, cert, key, ca, clientAuth, protocols);
    }

    public TlsConfig withCa(Path ca) {
        return new TlsConfig(true, cert, key, ca, clientAuth, protocols);
    }

    public TlsConfig withProtocols(List<String> protocols) {
        return new TlsConfig(enabled, cert, key, ca, clientAuth, protocols);
    }

    public boolean hasCertificate() {
        return cert != null;
    }

    /** {@code https} or {@code http}. */
    public String httpScheme() {
        return enabled ? "https" : "http";
    }

    /** {@code wss} or {@code ws}. */
    public String webSocketScheme() {
        return enabled ? "wss" : "ws";
    }

    /** {@code grpc+tls} or {@code grpc+tcp}: the scheme of Flight locations. */
    public String flightScheme() {
        return enabled ? "grpc+tls" : "grpc+tcp";
    }

    /** {@code scheme://host:port} for an HTTP endpoint, brackets around an IPv6 literal. */
    public String httpUri(String host, int port) {
        return httpScheme() + "://" + authority(host, port);
    }

    /** {@code grpc+tls://host:port} or {@code grpc+tcp://host:port}. */
    public String flightUri(String host, int port) {
        return flightScheme() + "://" + authority(host, port);
    }

    static String authority(String host, int port) {
        return (host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host) + ":" + port;
    }

    /** Whether a Flight location ({@code grpc+tls://...}) asks for TLS. */
    public static boolean isTlsFlightUri(String uri) {
        return uri.startsWith("grpc+tls:");
    }

    @Override
    public String toString() {
        return enabled ? "TLS " + String.join("/", protocols) + " (" + (cert == null ? "no certificate" : "cert " + cert)
                + ", CA " + (ca == null ? "the JVM's trust store" : ca)
                + (clientAuth ? ", client certificates required" : "") + ")" : "TLS off";
    }
}
