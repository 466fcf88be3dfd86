package io.partita.testnet;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Ports for the processes a test or benchmark starts, which must be told their ports before they bind them. A port the kernel
 * hands out for {@code bind(0)} comes from the ephemeral range, the same range it takes the local port of every
 * outgoing connection from: on a busy machine another connection may take it between our probe and the process's
 * bind. So ports are taken below that range, where the kernel never picks one by itself, checked bindable, and never
 * handed out twice by this JVM.
 */
public final class FreePorts {
    private static final int LOWEST = 20_000;
    private static final int TRIES = 200;
    private static final Set<Integer> GIVEN = ConcurrentHashMap.newKeySet();

    private FreePorts() {}

    /** A loopback port that nothing listens on and that the kernel will not give an outgoing connection. */
    public static int next() throws IOException {
        return next(InetAddress.getLoopbackAddress());
    }

    /** As {@link #next()}, free on {@code address}. */
    public static int next(InetAddress address) throws IOException {
        int below = ephemeralLow();
        for (int i = 0; i < TRIES; i++) {
            int port = ThreadLocalRandom.current().nextInt(LOWEST, below);
            if (GIVEN.contains(port)) {
                continue;
            }
            try (ServerSocket s = new ServerSocket(port, 1, address)) {
                if (GIVEN.add(port)) {
                    return port;
                }
            } catch (IOException inUse) {
                // taken by something else: try another
            }
        }
        throw new IOException("no free port between " + LOWEST + " and " + below + " after " + TRIES + " tries");
    }

    /** The start of the kernel's ephemeral port range (Linux default 32768). */
    private static int ephemeralLow() {
        try {
            String range = Files.readString(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).trim();
            int low = Integer.parseInt(range.split("\\s+")[0]);
            return low > LOWEST + 1_000 ? low : 32_768;
        } catch (IOException | RuntimeException e) {
            return 32_768;
        }
    }
}
