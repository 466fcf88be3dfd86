package io.partita.common.tls;

import io.vertx.core.http.ClientAuth;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.net.KeyCertOptions;
import io.vertx.core.net.TrustOptions;
import java.util.LinkedHashSet;

/**
 * {@link Tls} on Vert.x servers and clients (Vert.x is an optional dependency of common: only the services use
 * this). Vert.x is handed the process's reloading managers, so its servers present a replaced certificate on the
 * next connection without {@code updateSSLOptions}. No ALPN: HTTP/1.1 only, as in clear text (InternalHttp).
 */
public final class VertxTls {
    private VertxTls() {}

    /** TLS on {@code options} when it is on, requiring client certificates when the configuration says so. */
    public static HttpServerOptions server(HttpServerOptions options, Tls tls) {
        serverWithoutClientAuth(options, tls);
        if (tls.enabled() && tls.config().clientAuth()) {
            options.setClientAuth(ClientAuth.REQUIRED).setTrustOptions(TrustOptions.wrap(tls.trustManager()));
        }
        return options;
    }

    /**
     * TLS on {@code options} when it is on; under mutual TLS a client certificate is asked for and, when one is
     * offered, verified in the handshake, but a peer without one is let through: the routes decide (the worker's
     * HTTP port, whose {@code /segments} requires one and whose {@code /health} and {@code /metrics} answer
     * Kubernetes probes and Prometheus without one).
     */
    public static HttpServerOptions serverAskingClientAuth(HttpServerOptions options, Tls tls) {
        serverWithoutClientAuth(options, tls);
        if (tls.enabled() && tls.config().clientAuth()) {
            options.setClientAuth(ClientAuth.REQUEST).setTrustOptions(TrustOptions.wrap(tls.trustManager()));
        }
        return options;
    }

    /**
     * TLS on {@code options} when it is on, never asking for a client certificate: the dashboard's port, which
     * browsers open without one.
     */
    public static HttpServerOptions serverWithoutClientAuth(HttpServerOptions options, Tls tls) {
        if (!tls.enabled()) {
            return options;
        }
        if (tls.keyManager() == null) {
            throw new IllegalStateException("a TLS server needs --tls-cert and --tls-key");
        }
        return options.setSsl(true).setUseAlpn(false).setKeyCertOptions(KeyCertOptions.wrap(tls.keyManager()))
                .setEnabledSecureTransportProtocols(new LinkedHashSet<>(tls.config().protocols()));
    }

    /** A WebSocket client that verifies the server (CA and host name) and offers this process's certificate. */
    public static WebSocketClientOptions client(WebSocketClientOptions options, Tls tls) {
        if (!tls.enabled()) {
            return options;
        }
        options.setSsl(true).setVerifyHost(true).setTrustOptions(TrustOptions.wrap(tls.trustManager()))
                .setEnabledSecureTransportProtocols(new LinkedHashSet<>(tls.config().protocols()));
        if (tls.keyManager() != null) {
            options.setKeyCertOptions(KeyCertOptions.wrap(tls.keyManager()));
        }
        return options;
    }
}
