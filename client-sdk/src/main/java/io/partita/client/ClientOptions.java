package io.partita.client;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * How to connect: the scheduler's address ({@code host:port}, port 8786 by default), the cluster token (by default
 * from the environment variable {@code PARTITA_AUTH_TOKEN}), the connect timeout and how results are gathered.
 */
public record ClientOptions(String address, Optional<String> token, Duration connectTimeout, GatherMode gatherMode) {
    public static final String TOKEN_ENV = "PARTITA_AUTH_TOKEN";
    public static final int DEFAULT_PORT = 8786;

    public ClientOptions {
        Objects.requireNonNull(address, "address");
        token = token == null ? Optional.empty() : token.filter(t -> !t.isBlank());
        connectTimeout = connectTimeout == null ? Duration.ofSeconds(10) : connectTimeout;
        gatherMode = gatherMode == null ? GatherMode.AUTO : gatherMode;
    }

    /** Options for {@code address} with the token from {@code PARTITA_AUTH_TOKEN} (if set) and defaults otherwise. */
    public static ClientOptions of(String address) {
        return new ClientOptions(address, Optional.ofNullable(System.getenv(TOKEN_ENV)), null, null);
    }

    public ClientOptions withToken(String token) {
        return new ClientOptions(address, Optional.ofNullable(token), connectTimeout, gatherMode);
    }

    public ClientOptions withConnectTimeout(Duration timeout) {
        return new ClientOptions(address, token, timeout, gatherMode);
    }

    public ClientOptions withGatherMode(GatherMode mode) {
        return new ClientOptions(address, token, connectTimeout, mode);
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
                + ", connectTimeout=" + connectTimeout + ", gatherMode=" + gatherMode + "]";
    }
}
