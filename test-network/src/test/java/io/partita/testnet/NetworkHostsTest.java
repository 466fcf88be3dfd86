package io.partita.testnet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 120, unit = TimeUnit.SECONDS)
class NetworkHostsTest {
    @BeforeAll
    static void needsRoot() {
        assumeTrue(NetworkHosts.unavailableReason().isEmpty(),
                () -> "skipped: " + NetworkHosts.unavailableReason().orElseThrow());
    }

    @Test
    void hostsReachEachOtherAndNothingInTheMachinesNamespaceChanges() throws Exception {
        String id;
        try (NetworkHosts net = NetworkHosts.create(3)) {
            id = net.id();
            assertEquals(3, net.hosts().size());
            assertTrue(net.address(net.host(2)).startsWith("10.77."), net.address(net.host(2)));
            // nothing of this fixture in the machine's own namespace (checked by name and subnet, not by comparing
            // whole listings: other work on the machine may change them meanwhile)
            String subnet = net.subnet().substring(0, net.subnet().lastIndexOf('.') + 1);
            String links = Shell.run(List.of("ip", "-o", "link"), true).output();
            assertFalse(links.contains(NetworkHosts.PREFIX + id), "a link of the fixture in the machine's namespace: " + links);
            String addresses = Shell.run(List.of("ip", "-o", "addr"), true).output();
            assertFalse(addresses.contains(subnet), "an address of the fixture's subnet in the machine's namespace");
            String routes = Shell.run(List.of("ip", "route"), true).output();
            assertFalse(routes.contains(subnet), "a route to the fixture's subnet in the machine's namespace");
            assertTrue(connects(net, net.host(2), net.host(1), Duration.ofSeconds(5)), "h2 reaches h1");

            net.linkDown(net.host(1));
            assertFalse(connects(net, net.host(2), net.host(1), Duration.ofMillis(500)), "h1 cut off");
            net.linkUp(net.host(1));
            assertTrue(connects(net, net.host(3), net.host(1), Duration.ofSeconds(5)), "h1 back");

            net.shape(net.host(1), Duration.ZERO, 100_000_000L); // a rate needs no netem
            assertTrue(connects(net, net.host(2), net.host(1), Duration.ofSeconds(5)), "shaped h1 reachable");
            net.unshape(net.host(1));
            if (!net.latencySupported()) {
                assertThrows(UnsupportedOperationException.class,
                        () -> net.shape(net.host(1), Duration.ofMillis(1), 0));
            } else {
                net.shape(net.host(1), Duration.ofMillis(1), 0);
                assertTrue(connects(net, net.host(2), net.host(1), Duration.ofSeconds(5)), "delayed h1 reachable");
            }
        }
        assertTrue(Fixtures.ourNamespaces().getOrDefault(id, List.of()).isEmpty(), "close deleted the namespaces");
        assertFalse(Files.exists(Path.of("/dev/shm", NetworkHosts.PREFIX + id)));
        assertFalse(Files.exists(Fixtures.OWNERS.resolve(id)));
    }

    @Test
    void eachHostHasItsOwnDevShmSharedByItsProcesses() throws Exception {
        try (NetworkHosts net = NetworkHosts.create(2)) {
            run(net, net.host(1), "echo one > /dev/shm/mark");
            assertEquals("one", Files.readString(net.host(1).shmDir().resolve("mark")).strip());
            assertEquals("one", run(net, net.host(1), "cat /dev/shm/mark"), "another process of h1 sees it");
            assertEquals("none", run(net, net.host(2), "cat /dev/shm/mark 2>/dev/null || echo none"), "h2 does not");
            assertFalse(Files.exists(Path.of("/dev/shm/mark")), "the machine's /dev/shm is untouched");
            assertEquals(net.address(net.host(2)), run(net, net.host(2),
                    "ip -4 -o addr show dev eth0 | awk '{print $4}' | cut -d/ -f1"));
        }
    }

    @Test
    void closeKillsWhatStillRunsAndAStaleFixtureIsDeletedByTheNextOne() throws Exception {
        NetworkHosts net = NetworkHosts.create(1);
        Process sleeper = net.processBuilder(net.host(1), List.of("sleep", "300")).start();
        net.close();
        assertTrue(sleeper.waitFor(10, TimeUnit.SECONDS), "the process in the host was killed");

        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        NetworkHosts orphan = NetworkHosts.create(1, gone.toHandle()); // as if its JVM had been killed
        String orphanId = orphan.id();
        try (NetworkHosts next = NetworkHosts.create(1)) {
            assertTrue(Fixtures.ourNamespaces().getOrDefault(orphanId, List.of()).isEmpty(),
                    "the stale fixture " + orphanId + " was deleted");
            assertTrue(Fixtures.ourNamespaces().containsKey(next.id()));
        } finally {
            orphan.close();
        }
    }

    private static String run(NetworkHosts net, NetworkHosts.Host host, String script) throws Exception {
        Process p = net.processBuilder(host, List.of("sh", "-c", script)).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes()).strip();
        assertTrue(p.waitFor(10, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        return out;
    }

    /** Whether {@code from} opens a TCP connection to a server on {@code to} within {@code timeout}. */
    private static boolean connects(NetworkHosts net, NetworkHosts.Host from, NetworkHosts.Host to, Duration timeout)
            throws Exception {
        try (ServerSocket server = net.call(to, () -> new ServerSocket(0, 5, java.net.InetAddress.getByName(to.address())))) {
            return net.call(from, () -> {
                try (Socket s = new Socket()) {
                    s.connect(new InetSocketAddress(to.address(), server.getLocalPort()), (int) timeout.toMillis());
                    return true;
                } catch (IOException e) {
                    return false;
                }
            });
        }
    }
}
