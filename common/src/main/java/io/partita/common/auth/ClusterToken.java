package io.partita.common.auth;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.List;
import java.util.Optional;

/**
 * The cluster's shared secret. When set, every endpoint that can run code or read data requires it as
 * {@code Authorization: Bearer <token>}; the same header is used over HTTP, WebSocket and Arrow Flight.
 *
 * @param value        the token this process presents, and accepts; empty for a cluster without authentication
 * @param alsoAccepted more tokens accepted but not presented: the other one during a rotation
 */
public record ClusterToken(Optional<String> value, List<String> alsoAccepted) {
    public static final String HEADER = "authorization";
    public static final String UNAUTHENTICATED =
            "unauthenticated: this cluster requires its token; pass it with --auth-token-file, --auth-token or PARTITA_AUTH_TOKEN";

    public ClusterToken {
        if (value.isPresent() && value.get().isBlank() || alsoAccepted.stream().anyMatch(String::isBlank)) {
            throw new IllegalArgumentException("the cluster token is blank: give a token, or none at all to run without "
                    + "authentication (on loopback only)");
        }
        if (value.isEmpty() && !alsoAccepted.isEmpty()) {
            throw new IllegalArgumentException("tokens to accept were given without a token to present");
        }
        alsoAccepted = List.copyOf(alsoAccepted);
    }

    public ClusterToken(Optional<String> value) {
        this(value, List.of());
    }

    public static ClusterToken none() {
        return new ClusterToken(Optional.empty());
    }

    /** {@code token}, or none when null; a blank token is refused. */
    public static ClusterToken of(String token) {
        return new ClusterToken(Optional.ofNullable(token));
    }

    /**
     * The token of {@code file} (a Kubernetes Secret mounted as a file, say): its first line is presented; every
     * non-blank line is accepted, so that during a rotation the old and the new token both work.
     *
     * @throws IllegalArgumentException when the file cannot be read or holds no token
     */
    public static ClusterToken fromFile(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8).stream().map(String::strip).filter(l -> !l.isEmpty()).toList();
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read the token file " + file + ": " + e, e);
        }
        if (lines.isEmpty()) {
            throw new IllegalArgumentException("the token file " + file + " holds no token");
        }
        return new ClusterToken(Optional.of(lines.getFirst()), lines.subList(1, lines.size()));
    }

    public boolean required() {
        return value.isPresent();
    }

    /** The header value a caller sends, or empty when the cluster has no token. */
    public Optional<String> headerValue() {
        return value.map(v -> "Bearer " + v);
    }

    /**
     * True when no token is required or {@code authorizationHeader} carries an accepted one (compared in constant
     * time, every accepted token compared whatever matched).
     */
    public boolean accepts(String authorizationHeader) {
        if (value.isEmpty()) {
            return true;
        }
        if (authorizationHeader == null || !authorizationHeader.startsWith("Bearer ")) {
            return false;
        }
        byte[] given = authorizationHeader.substring("Bearer ".length()).getBytes(StandardCharsets.UTF_8);
        boolean match = MessageDigest.isEqual(given, value.get().getBytes(StandardCharsets.UTF_8));
        for (String other : alsoAccepted) {
            match |= MessageDigest.isEqual(given, other.getBytes(StandardCharsets.UTF_8));
        }
        return match;
    }

    @Override
    public String toString() {
        return value.isPresent() ? "ClusterToken[set" + (alsoAccepted.isEmpty() ? "" : ", +" + alsoAccepted.size() + " accepted") + "]"
                : "ClusterToken[none]";
    }
}
