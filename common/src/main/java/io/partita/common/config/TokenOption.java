package io.partita.common.config;

import io.partita.common.auth.ClusterToken;
import java.nio.file.Path;
import java.util.Map;
import picocli.CommandLine.Option;

/** {@code --auth-token-file} and {@code --auth-token}, the same on every Partita command: mixed in with {@code @Mixin}. */
public final class TokenOption {
    @Option(names = "--auth-token-file", paramLabel = "<file>", description = "File holding the shared cluster token "
            + "(a mounted Secret, say): the scheduler requires it on every endpoint, workers and clients present it. Its "
            + "first line is presented; every line is accepted, so that during a rotation the old and the new token both "
            + "work. Read at start.")
    Path file;

    @Option(names = "--auth-token", paramLabel = "<token>", description = "The shared cluster token itself; none by "
            + "default. Prefer --auth-token-file or PARTITA_AUTH_TOKEN, which keep it out of ps. A blank token is an error.")
    String value;

    /**
     * The token given, or none.
     *
     * @throws IllegalArgumentException when both options are given, the file holds none, or the token is blank
     */
    public ClusterToken token() {
        if (file != null && value != null) {
            throw new IllegalArgumentException("--auth-token-file and --auth-token (or PARTITA_AUTH_TOKEN) both given: give one");
        }
        return file != null ? ClusterToken.fromFile(file) : ClusterToken.of(value);
    }

    /**
     * How a child process is given the same token: by environment ({@code <prefix>AUTH_TOKEN} or
     * {@code <prefix>AUTH_TOKEN_FILE}), so that it does not show in the process list.
     *
     * @param prefix the child command's variable prefix, e.g. {@code PARTITA_} or {@code PARTITA_WORKER_}
     */
    public Map<String, String> childEnvironment(String prefix) {
        if (file != null) {
            return Map.of(prefix + "AUTH_TOKEN_FILE", file.toAbsolutePath().toString());
        }
        return value == null ? Map.of() : Map.of(prefix + "AUTH_TOKEN", value);
    }
}
