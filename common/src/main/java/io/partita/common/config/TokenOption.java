package io.partita.common.config;

import io.partita.common.auth.ClusterToken;
import picocli.CommandLine.Option;

/** {@code --auth-token}, the same on every Partita command: mixed in with {@code @Mixin}. */
public final class TokenOption {
    @Option(names = "--auth-token", paramLabel = "<token>", description = "The shared cluster token: the scheduler requires it on every endpoint, "
            + "workers and clients present it; none by default. Prefer PARTITA_AUTH_TOKEN, which keeps it out of ps.")
    String value;

    /** The token given, or none. */
    public ClusterToken token() {
        return ClusterToken.of(value);
    }

    /** The token as given, or null: for handing it to a child process by its environment. */
    public String raw() {
        return value;
    }
}
