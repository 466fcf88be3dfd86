package io.partita.testnet;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * N hosts, each a Linux network namespace with one address on a private bridge, for tests and benchmarks that need
 * processes on different hosts of a real network (a real interface, ARP, routing, TCP over veth) on one machine.
 *
 * <pre>
 *   ptn-ID-h1 (10.77.X.1/24, eth0) ─veth─ v1 ┐
 *   ptn-ID-h2 (10.77.X.2/24, eth0) ─veth─ v2 ┼ br0 in ptn-ID-br
 *   ...                                       ┘
 * </pre>
 *
 * The bridge lives in a namespace of its own ({@code ptn-ID-br}), so the machine's own (initial) namespace gets no
 * interface, address or route: nothing there reaches the hosts, and the hosts reach nothing but each other (and
 * their own loopback). Each fixture has its own bridge, so fixtures running in parallel are isolated even when their
 * subnets coincide; the subnet {@code 10.77.X.0/24} and the short random {@code ID} are chosen per instance.
 *
 * <p>A process runs in a host through {@link #command(Host, List)} / {@link #processBuilder(Host, List)}
 * ({@code ip netns exec}), which also gives the host its own {@code /dev/shm}: a folder of the machine's
 * {@code /dev/shm} bind-mounted over it in the process's private mount namespace, shared by every process of that host
 * and by no other host (as on separate machines). Code in this JVM can reach a host's network with
 * {@link #call(Host, Callable)}, which runs on a thread that entered the host's network namespace.
 *
 * <p>Needs root (CAP_NET_ADMIN, CAP_SYS_ADMIN) and iproute2; {@link #unavailableReason()} says why it cannot run.
 * {@link #close()} kills what still runs in the hosts and deletes every namespace, folder and file it made; a run that
 * was killed before it could is cleaned up by the next {@link #create} ({@link Fixtures#deleteStale()}), which deletes only
 * namespaces of this fixture's prefix whose creating process is gone.
 */
public final class NetworkHosts implements AutoCloseable {
    /** Every namespace this fixture makes is named {@code ptn-<id>-<suffix>}. */
    public static final String PREFIX = "ptn-";
    /** tc's token bucket needs a burst of at least one MTU; 10 ms of the rate, and no less than this. */
    private static final long MIN_BURST_BYTES = 32 * 1024;

    /** One host: {@code index} from 1, its namespace, its address on the bridge and its own {@code /dev/shm}. */
    public record Host(int index, String name, String namespace, String address, Path shmDir) {
        @Override
        public String toString() {
            return name + " (" + namespace + ", " + address + ")";
        }
    }

    private final String id;
    private final String subnetPrefix;
    private final List<Host> hosts;
    private final boolean netem;
    private final Map<String, ExecutorService> threads = new ConcurrentHashMap<>();
    private final Thread shutdownHook;
    private volatile boolean closed;

    private NetworkHosts(String id, String subnetPrefix, List<Host> hosts, boolean netem) {
        this.id = id;
        this.subnetPrefix = subnetPrefix;
        this.hosts = List.copyOf(hosts);
        this.netem = netem;
        this.shutdownHook = new Thread(this::closeQuietly, "partita-testnet-cleanup-" + id);
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /**
     * Why this fixture cannot run here (not Linux, not root, no {@code ip}), or empty when it can. Tests use it in an
     * assumption: {@code assumeTrue(NetworkHosts.unavailableReason().isEmpty(), ...)}.
     */
    public static Optional<String> unavailableReason() {
        if (!System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).contains("linux")) {
            return Optional.of("network namespaces need Linux (this is " + System.getProperty("os.name") + ")");
        }
        if (Shell.effectiveUid() != 0) {
            return Optional.of("network namespaces need root (ip netns add): run as root, as .ci/run does in CI");
        }
        if (Shell.which("ip").isEmpty()) {
            return Optional.of("'ip' is missing: install iproute2 (apt-get install -y iproute2)");
        }
        if (!Files.isDirectory(Fixtures.SHM)) {
            return Optional.of("/dev/shm is missing");
        }
        return Optional.empty();
    }

    /** Builds {@code count} hosts (1 to 250), first removing what a killed earlier run left ({@link Fixtures#deleteStale()}). */
    public static NetworkHosts create(int count) throws IOException {
        return create(count, ProcessHandle.current());
    }

    /** As {@link #create(int)}, owned by {@code owner}: the namespaces count as stale once it is gone. */
    static NetworkHosts create(int count, ProcessHandle owner) throws IOException {
        if (count < 1 || count > 250) {
            throw new IllegalArgumentException("hosts: 1 to 250, got " + count);
        }
        unavailableReason().ifPresent(r -> {
            throw new IllegalStateException(r);
        });
        Fixtures.deleteStale();
        String id = Fixtures.newId();
        int third = ThreadLocalRandom.current().nextInt(256);
        String subnet = "10.77." + third + ".";
        Files.createDirectories(Fixtures.OWNERS);
        Files.writeString(Fixtures.OWNERS.resolve(id), owner.pid() + "\n" + Fixtures.startMillis(owner) + "\n");
        String bridge = Fixtures.bridgeNamespace(id);
        try {
            Shell.ip("netns", "add", bridge);
            Shell.ip("-n", bridge, "link", "set", "lo", "up");
            Shell.ip("-n", bridge, "link", "add", "br0", "type", "bridge");
            Shell.ip("-n", bridge, "link", "set", "br0", "up");
            List<Host> hosts = new ArrayList<>();
            for (int i = 1; i <= count; i++) {
                String ns = Fixtures.hostNamespace(id, i);
                Host host = new Host(i, "h" + i, ns, subnet + i, Fixtures.shmRoot(id).resolve("h" + i));
                Shell.ip("netns", "add", ns);
                Shell.ip("-n", ns, "link", "set", "lo", "up");
                // both ends are made inside the namespaces: the machine's own namespace never holds one
                Shell.ip("-n", ns, "link", "add", "eth0", "type", "veth", "peer", "name", "v" + i, "netns", bridge);
                Shell.ip("-n", ns, "addr", "add", host.address() + "/24", "dev", "eth0");
                Shell.ip("-n", ns, "link", "set", "eth0", "up");
                Shell.ip("-n", bridge, "link", "set", "v" + i, "master", "br0");
                Shell.ip("-n", bridge, "link", "set", "v" + i, "up");
                Files.createDirectories(host.shmDir());
                hosts.add(host);
            }
            boolean netem = Shell.run(List.of("ip", "netns", "exec", bridge, "tc", "qdisc", "add", "dev", "lo", "root", "netem",
                    "delay", "0ms"), false).exitCode() == 0;
            if (netem) {
                Shell.run(List.of("ip", "netns", "exec", bridge, "tc", "qdisc", "del", "dev", "lo", "root"), false);
            }
            return new NetworkHosts(id, subnet, hosts, netem);
        } catch (IOException | RuntimeException e) {
            try {
                Fixtures.delete(id);
            } catch (IOException | RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    /** This fixture's id: its namespaces are {@code ptn-<id>-br} and {@code ptn-<id>-h<i>}. */
    public String id() {
        return id;
    }

    /** The hosts' subnet, e.g. {@code 10.77.31.0/24}. */
    public String subnet() {
        return subnetPrefix + "0/24";
    }

    public List<Host> hosts() {
        return hosts;
    }

    /** Host {@code index}, counted from 1. */
    public Host host(int index) {
        if (index < 1 || index > hosts.size()) {
            throw new IllegalArgumentException("host " + index + ": this fixture has hosts 1 to " + hosts.size());
        }
        return hosts.get(index - 1);
    }

    /** {@code host}'s address on the bridge (IPv4, no prefix length). */
    public String address(Host host) {
        return own(host).address();
    }

    /**
     * The command line that runs {@code command} in {@code host}: its network namespace, and its own {@code /dev/shm}
     * (a private mount namespace in which the host's folder is bind-mounted over {@code /dev/shm}).
     */
    public List<String> command(Host host, List<String> command) {
        Host h = own(host);
        List<String> all = new ArrayList<>(execPrefix(h.namespace(), h.shmDir()));
        all.addAll(command);
        return all;
    }

    /** The prefix of {@link #command}: what goes before the program and its arguments. */
    public List<String> execPrefix(Host host) {
        Host h = own(host);
        return execPrefix(h.namespace(), h.shmDir());
    }

    private static List<String> execPrefix(String namespace, Path shmDir) {
        // ip netns exec makes a private (slave) mount namespace for the command: the bind mount stays in it
        return List.of("ip", "netns", "exec", namespace, "sh", "-c", "mount --bind \"$0\" /dev/shm && exec \"$@\"",
                shmDir.toString());
    }

    /** A {@link ProcessBuilder} for {@code command} in {@code host} (see {@link #command}). */
    public ProcessBuilder processBuilder(Host host, List<String> command) {
        return new ProcessBuilder(command(host, command));
    }

    /** Whether the kernel has {@code sch_netem}, which {@link #shape} needs for a latency. */
    public boolean latencySupported() {
        return netem;
    }

    /**
     * Shapes {@code host}'s link in both directions: each direction gets {@code latency} (so a round trip between two
     * shaped hosts takes four times it, between a shaped and an unshaped host twice) and at most {@code bitsPerSecond}
     * ({@code 0} = unlimited). A latency needs {@code sch_netem} ({@link #latencySupported()}); a rate alone works
     * without it (a token bucket). Replaces any earlier shaping; {@link #unshape} removes it.
     *
     * @throws UnsupportedOperationException a latency was asked for and the kernel has no netem
     */
    public void shape(Host host, Duration latency, long bitsPerSecond) throws IOException {
        Host h = own(host);
        if (latency.isNegative() || bitsPerSecond < 0) {
            throw new IllegalArgumentException("latency and rate must not be negative");
        }
        if (!latency.isZero() && !netem) {
            throw new UnsupportedOperationException("the kernel has no sch_netem (tc qdisc ... netem): a latency cannot be "
                    + "added here; a rate alone can (modprobe sch_netem, where the kernel ships it, enables latency)");
        }
        for (String[] dev : links(h)) {
            List<String> tc = new ArrayList<>(List.of("ip", "netns", "exec", dev[0], "tc", "qdisc", "replace", "dev", dev[1], "root"));
            if (!latency.isZero()) {
                tc.addAll(List.of("netem", "delay", latency.toNanos() / 1000 + "us"));
                if (bitsPerSecond > 0) {
                    tc.addAll(List.of("rate", bitsPerSecond + "bit"));
                }
                // netem's default queue of 1000 packets drops at high rates with a delay: room for ~1 s at 10 Gbit/s
                tc.addAll(List.of("limit", "1000000"));
            } else if (bitsPerSecond > 0) {
                long burst = Math.max(MIN_BURST_BYTES, bitsPerSecond / 8 / 100);
                tc.addAll(List.of("tbf", "rate", bitsPerSecond + "bit", "burst", Long.toString(burst), "latency", "100ms"));
            } else {
                unshape(h);
                return;
            }
            Shell.run(tc, true);
        }
    }

    /** Removes {@link #shape}'s shaping from {@code host}'s link. */
    public void unshape(Host host) throws IOException {
        for (String[] dev : links(own(host))) {
            Shell.run(List.of("ip", "netns", "exec", dev[0], "tc", "qdisc", "del", "dev", dev[1], "root"), false);
        }
    }

    /** The host's end and the bridge's end of its link: {namespace, device}. */
    private String[][] links(Host h) {
        return new String[][] {{h.namespace(), "eth0"}, {Fixtures.bridgeNamespace(id), "v" + h.index()}};
    }

    /**
     * Cuts {@code host} off, as an unplugged cable: its port on the bridge goes down, so its own interface loses the
     * carrier and packets either way are dropped without an answer (no reset, no ICMP): peers see silence.
     */
    public void linkDown(Host host) throws IOException {
        Shell.ip("-n", Fixtures.bridgeNamespace(id), "link", "set", "v" + own(host).index(), "down");
    }

    /** Plugs {@code host} back in ({@link #linkDown}). */
    public void linkUp(Host host) throws IOException {
        Shell.ip("-n", Fixtures.bridgeNamespace(id), "link", "set", "v" + own(host).index(), "up");
    }

    /**
     * Runs {@code work} on a thread of this JVM that entered {@code host}'s network namespace ({@code setns}), so the
     * sockets it opens are the host's: for a test's HTTP probes. Sockets opened on other threads (an HTTP client's
     * selector, Netty's event loops) are not, so use a blocking client that connects on the calling thread
     * ({@link java.net.Socket}, {@link java.net.HttpURLConnection}), not {@link java.net.http.HttpClient}.
     */
    public <T> T call(Host host, Callable<T> work) throws Exception {
        Host h = own(host);
        ExecutorService pool = threads.computeIfAbsent(h.namespace(), ns -> Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(() -> {
                Setns.enter(Fixtures.NETNS_DIR.resolve(ns));
                r.run();
            }, "partita-testnet-" + ns);
            t.setDaemon(true);
            return t;
        }));
        if (closed) {
            throw new IllegalStateException("closed");
        }
        try {
            return pool.submit(work).get();
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof Exception cause) {
                throw cause;
            }
            throw e;
        }
    }

    private Host own(Host host) {
        if (host == null || host.index() < 1 || host.index() > hosts.size() || !hosts.get(host.index() - 1).equals(host)) {
            throw new IllegalArgumentException(host + " is not a host of fixture " + id);
        }
        return host;
    }

    /**
     * Kills every process still running in the hosts, deletes the namespaces, the hosts' {@code /dev/shm} folders and
     * the owner file. Idempotent; reports the first failure after trying everything.
     */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        threads.values().forEach(ExecutorService::shutdownNow);
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException e) {
            // closing from the hook itself
        }
        Fixtures.delete(id);
    }

    private void closeQuietly() {
        try {
            close();
        } catch (IOException | RuntimeException e) {
            System.err.println("partita-testnet: cleaning up " + id + " failed: " + e.getMessage());
        }
    }

    /** For shell scripts (benchmarks): see {@link NetworkHostsCommand}. */
    public static void main(String[] args) throws Exception {
        NetworkHostsCommand.run(args);
    }

    /** Lets the namespaces outlive this JVM: the command-line tool hands them to the calling shell. */
    void keepAfterExit() {
        Runtime.getRuntime().removeShutdownHook(shutdownHook);
    }

    /** A view of hosts 1..upTo of an existing fixture (names only), for the command line's shape. */
    static NetworkHosts view(String id, int upTo) {
        List<Host> list = new ArrayList<>();
        for (int i = 1; i <= upTo; i++) {
            list.add(new Host(i, "h" + i, Fixtures.hostNamespace(id, i), "", Fixtures.shmRoot(id).resolve("h" + i)));
        }
        NetworkHosts view = new NetworkHosts(id, "", list, true);
        view.keepAfterExit();
        return view;
    }
}
