package io.partita.common.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;

/**
 * The cluster's shared secret. When set, every endpoint that can run code or read data requires it as
 * {@code Authorization: Bearer <token>}; the same header is used over HTTP, WebSocket and Arrow Flight.
 */
public record ClusterToken(Optional<String> value) {
    public static final String HEADER = "authorization";
    public static final String UNAUTHENTICATED =
            "unauthenticated: this cluster requires its token; pass it with --auth-token or PARTITA_AUTH_TOKEN";

    public ClusterToken {
        value = value.filter(v -> !v.isBlank());
    }

    public static ClusterToken none() {
        return new ClusterToken(Optional.empty());
    }

    public static ClusterToken of(String token) {
        return new ClusterToken(Optional.ofNullable(token));
    }

    public boolean required() {
        return value.isPresent();
    }

    /** The header value a caller sends, or empty when the cluster has no token. */
    public Optional<String> headerValue() {
        return value.map(v -> "Bearer " + v);
    }

    /** True when no token is required or {@code authorizationHeader} carries it (compared in constant time). */
    public boolean accepts(String authorizationHeader) {
        if (value.isEmpty()) {
            return true;
        }
        if (authorizationHeader == null || !authorizationHeader.startsWith("Bearer ")) {
            return false;
        }
        byte[] given = authorizationHeader.substring("Bearer ".length()).getBytes(StandardCharsets.UTF_8);
        return MessageDigest.isEqual(given, value.get().getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public String toString() {
        return value.isPresent() ? "ClusterToken[set]" : "ClusterToken[none]";
    }
}
