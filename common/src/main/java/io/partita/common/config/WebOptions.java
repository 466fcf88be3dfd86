package io.partita.common.config;

import io.partita.common.auth.ClusterToken;
import io.partita.common.auth.WebAccess;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** {@code --allowed-hosts} and {@code --metrics-auth}, for the commands that serve HTTP: mixed in with {@code @Mixin}. */
public final class WebOptions {
    @Option(names = "--allowed-hosts", split = ",", paramLabel = "<name>", description = "Names besides IP addresses, "
            + "localhost and --host under which the HTTP ports may be reached and whose pages may call them (an Ingress "
            + "host, say); * for any. A request under another name is refused, which stops DNS-rebinding pages "
            + "(default: none).")
    List<String> allowedHosts = new ArrayList<>();

    @Option(names = "--metrics-auth", description = "Require the token on /metrics too (default: /metrics and /health "
            + "are open, every other page and feed needs the token when the cluster has one).")
    boolean metricsAuth;

    /** These options as arguments, for a child process of the same command. */
    public List<String> childArgs() {
        List<String> args = new ArrayList<>();
        if (!allowedHosts.isEmpty()) {
            args.addAll(List.of("--allowed-hosts", String.join(",", allowedHosts)));
        }
        if (metricsAuth) {
            args.add("--metrics-auth");
        }
        return args;
    }

    /** The access rules for a process reached as {@code ownNames}. */
    public WebAccess access(ClusterToken token, List<String> ownNames) {
        return new WebAccess(token, ownNames, allowedHosts, metricsAuth);
    }
}
