package io.partita.common.net;

import java.net.BindException;

/** A server that cannot bind its port says which flag names it, so that the operator knows what to change. */
public final class PortInUse {
    private PortInUse() {}

    /**
     * {@code failure} as a configuration error naming {@code flag} when a {@link BindException} caused it (the port is
     * taken, or the address is not this machine's), else {@code failure} itself.
     */
    public static Throwable explain(Throwable failure, String flag, String host, int port) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof BindException bind) {
                return new IllegalArgumentException("cannot listen on " + host + ":" + port + " (" + flag + "): "
                        + bind.getMessage() + ". Another process (another scheduler or worker?) may hold the port: stop "
                        + "it, or give " + flag + " another port", failure);
            }
        }
        return failure;
    }
}
