package io.partita.common.config;

import io.partita.common.tls.TlsConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code --tls-cert}, {@code --tls-key}, {@code --tls-ca}, {@code --tls-client-auth} and {@code --tls-protocols}, the
 * same on the scheduler, the worker and {@code partita local}: mixed in with {@code @Mixin}. Without any of them,
 * every endpoint is in clear text, as before.
 */
public final class TlsOptions {
    @Spec(Spec.Target.MIXEE)
    CommandSpec mixee;

    @Option(names = "--tls-cert", paramLabel = "<file>", description = "PEM certificate chain (leaf first) this process "
            + "presents; turns TLS on for every endpoint it serves (API and WebSockets, dashboard, Flight, the worker's "
            + "HTTP) and calls (https, wss, grpc+tls). Reloaded when the file changes. Default: none, TLS off.")
    Path cert;

    @Option(names = "--tls-key", paramLabel = "<file>", description = "PEM private key of --tls-cert (PKCS#8, or PKCS#1 "
            + "RSA / SEC1 EC), unencrypted. Reloaded when the file changes.")
    Path key;

    @Option(names = "--tls-ca", paramLabel = "<file>", description = "PEM certificates of the CA (or CAs) that sign the "
            + "cluster's certificates: peers are verified against it. Default: the JVM's trust store.")
    Path ca;

    @Option(names = "--tls-client-auth", negatable = true, defaultValue = "false", fallbackValue = "true",
            description = "Mutual TLS: the client and worker API, every Flight server and the workers' bulk path refuse "
                    + "a peer without a certificate signed by --tls-ca (the dashboard and the workers' /health and /metrics "
                    + "answer without one). Default: ${DEFAULT-VALUE}.")
    boolean clientAuth;

    @Option(names = "--tls-protocols", split = ",", paramLabel = "<version>", defaultValue = "TLSv1.3",
            description = "TLS versions accepted and offered, comma-separated: TLSv1.3, or TLSv1.3,TLSv1.2 for peers "
                    + "that lack 1.3. Default: ${DEFAULT-VALUE}.")
    List<String> protocols = new ArrayList<>(TlsConfig.DEFAULT_PROTOCOLS);

    /**
     * The configuration given: TLS off when no file is named; else a certificate and key are required (a scheduler
     * and a worker serve TLS themselves) and every file must be readable.
     *
     * @throws CommandLine.ParameterException naming the flag when something is missing or unreadable
     */
    public TlsConfig config() {
        if (cert == null && key == null && ca == null) {
            if (clientAuth) {
                throw problem("--tls-client-auth needs TLS: give --tls-cert, --tls-key and --tls-ca");
            }
            return TlsConfig.none();
        }
        if (cert == null || key == null) {
            throw problem("TLS needs both --tls-cert and --tls-key: this process serves TLS with them"
                    + (cert == null && key == null ? " (--tls-ca alone only says whom to trust)" : ""));
        }
        readable("--tls-cert", cert);
        readable("--tls-key", key);
        if (ca != null) {
            readable("--tls-ca", ca);
        }
        try {
            return TlsConfig.server(cert, key, ca, clientAuth).withProtocols(protocols);
        } catch (IllegalArgumentException e) {
            throw problem(e.getMessage());
        }
    }

    /** The same options for a child process (paths are not secrets: they go on its command line). */
    public List<String> args() {
        List<String> args = new ArrayList<>();
        if (cert != null) {
            args.addAll(List.of("--tls-cert", cert.toString()));
        }
        if (key != null) {
            args.addAll(List.of("--tls-key", key.toString()));
        }
        if (ca != null) {
            args.addAll(List.of("--tls-ca", ca.toString()));
        }
        if (clientAuth) {
            args.add("--tls-client-auth");
        }
        if (cert != null || key != null || ca != null) {
            args.addAll(List.of("--tls-protocols", String.join(",", protocols)));
        }
        return args;
    }

    private void readable(String flag, Path file) {
        if (!Files.isRegularFile(file)) {
            throw problem(flag + " " + file + ": no such file");
        }
        if (!Files.isReadable(file)) {
            throw problem(flag + " " + file + ": not readable by this user");
        }
    }

    private CommandLine.ParameterException problem(String message) {
        CommandLine cl = mixee != null ? mixee.commandLine() : new CommandLine(new Object() { });
        return new CommandLine.ParameterException(cl, message);
    }
}
