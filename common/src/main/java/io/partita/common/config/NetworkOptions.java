package io.partita.common.config;

import picocli.CommandLine.Option;

/** {@code --host} and {@code --listen-address}, the same on the scheduler and the worker: mixed in with {@code @Mixin}. */
public final class NetworkOptions {
    @Option(names = "--host", paramLabel = "<address>", defaultValue = "127.0.0.1", description = "Address this process is reached at: announced to "
            + "the others (scheduler, workers, clients), and a scheduler's Hazelcast interface; it also listens there "
            + "unless --listen-address says otherwise. On a machine with several addresses, the one the other hosts reach. "
            + "Default: ${DEFAULT-VALUE}.")
    String host;

    @Option(names = "--listen-address", paramLabel = "<address>", description = "Address to listen on when not --host: 0.0.0.0 for every interface "
            + "(in a Kubernetes pod, so that kubectl port-forward reaches it). --host stays the address announced to the "
            + "others. Default: --host.")
    String listenAddress;

    public String host() {
        return host;
    }

    /** The address given by --listen-address, or null when the process listens on --host. */
    public String listenAddress() {
        return listenAddress;
    }
}
