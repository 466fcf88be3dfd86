package io.partita.common.config;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The schedulers a worker (or a client) may talk to: {@code host:port} entries, comma-separated, as given on the
 * command line ({@code partita-worker sched-a:8786,sched-b:8786}). A name that resolves to several addresses (a
 * Kubernetes headless Service) stands for all of them; it is resolved again at each connection attempt.
 */
public record SchedulerAddresses(List<String> given) {
    public SchedulerAddresses {
        if (given.isEmpty()) {
            throw new IllegalArgumentException("no scheduler address given");
        }
        given = List.copyOf(given);
    }

    /**
     * Parses {@code a:8786,b:8786}; a missing port is 8786, a scheme ({@code tcp://}, {@code http://}, and the TLS ones
     * {@code tls://}, {@code https://}, {@code wss://}: see {@link #asksForTls}) is dropped.
     */
    public static SchedulerAddresses parse(String addresses) {
        List<String> list = new ArrayList<>();
        for (String part : addresses.split(",")) {
            String a = part.strip().replaceFirst("^(tcp|http|ws|tls|https|wss)://", "");
            if (a.endsWith("/")) {
                a = a.substring(0, a.length() - 1);
            }
            if (a.isEmpty()) {
                continue;
            }
            int colon = a.lastIndexOf(':');
            list.add(colon < 0 || a.endsWith("]") ? a + ":" + Ports.SCHEDULER_API : a);
        }
        return new SchedulerAddresses(list);
    }

    /** The first given address, for messages and the first HTTP call. */
    public String first() {
        return given.getFirst();
    }

    /** {@code https://host:port} with TLS on, {@code http://host:port} without. */
    public URI httpUri(String hostPort, io.partita.common.tls.TlsConfig tls) {
        return URI.create(tls.httpScheme() + "://" + hostPort);
    }

    /** Whether {@code addresses} names a scheduler with a TLS scheme ({@code tls://}, {@code https://}, {@code wss://}). */
    public static boolean asksForTls(String addresses) {
        for (String part : addresses.split(",")) {
            if (part.strip().matches("^(tls|https|wss)://.*")) {
                return true;
            }
        }
        return false;
    }

    /** Every {@code ip:port} the given entries stand for now; a name that does not resolve is kept as it is. */
    public List<String> resolve() {
        Set<String> out = new LinkedHashSet<>();
        for (String hostPort : given) {
            int colon = hostPort.lastIndexOf(':');
            String host = hostPort.substring(0, colon);
            String port = hostPort.substring(colon + 1);
            try {
                InetAddress[] all = InetAddress.getAllByName(host);
                if (all.length <= 1) {
                    out.add(hostPort);
                } else {
                    for (InetAddress a : all) {
                        out.add(a.getHostAddress() + ":" + port);
                    }
                }
            } catch (UnknownHostException e) {
                out.add(hostPort);
            }
        }
        return List.copyOf(out);
    }
}
