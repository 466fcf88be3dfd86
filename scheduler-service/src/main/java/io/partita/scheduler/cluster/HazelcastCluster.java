package io.partita.scheduler.cluster;

import com.hazelcast.cluster.Member;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.config.Config;
import com.hazelcast.config.JavaSerializationFilterConfig;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.NetworkConfig;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.config.ListenerConfig;
import com.hazelcast.core.LifecycleEvent;
import com.hazelcast.core.LifecycleListener;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The scheduler's Hazelcast data member: which scheduler is active, and the sealed state a standby needs to take over
 * (accepted graphs, jars, the registered workers). Only schedulers are members. Several schedulers may form one
 * cluster ({@code --join}); the active one is the oldest scheduler member (Hazelcast orders members by when they
 * joined, the same on every member), so when it leaves the next oldest takes over without an election round. The
 * others stand by.
 *
 * <p>Hazelcast's open-source edition authenticates no member: whatever arrives through it is read sealed
 * ({@link SealedMap}) and never as a Java object, and membership events decide nothing about workers.
 */
public final class HazelcastCluster implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HazelcastCluster.class);

    private final HazelcastInstance hz;
    private final SealedMap graphs;
    private final SealedMap artifacts;
    private final SealedMap workers;
    private volatile boolean closing;

    /**
     * Blocking (a few seconds): call off the event loop. {@code membershipChanged} and {@code stopped} are called on
     * a Hazelcast thread.
     *
     * @param join       other schedulers' Hazelcast addresses ({@code host:port}) to join, none for a first one
     * @param apiAddress this scheduler's client API address, published for the others
     * @param sealer     seals what is kept in the cluster
     * @param stopped    told why when Hazelcast stops without {@link #close} (another member shut the cluster down,
     *                   or it failed): this scheduler can no longer fail over nor keep graphs, and must be restarted
     */
    public HazelcastCluster(String host, int port, String clusterName, String schedulerId, List<String> join, String apiAddress,
                            Sealer sealer, Runnable membershipChanged, Consumer<String> stopped) {
        Config config = new Config();
        refuseJavaSerialization(config);
        config.setClusterName(clusterName);
        config.setInstanceName("partita-scheduler-" + schedulerId);
        config.setProperty("hazelcast.phone.home.enabled", "false");
        config.setProperty("hazelcast.logging.type", "slf4j");
        config.setProperty("hazelcast.shutdownhook.enabled", "false");
        config.setProperty("hazelcast.heartbeat.interval.seconds", "1");
        config.setProperty("hazelcast.max.no.heartbeat.seconds", "5");
        config.setProperty("hazelcast.socket.bind.any", "false");
        NetworkConfig network = config.getNetworkConfig();
        network.setPort(port).setPortAutoIncrement(false);
        String address = interfaceAddress(host);
        network.getInterfaces().setEnabled(true).addInterface(address);
        JoinConfig joining = network.getJoin();
        joining.getMulticastConfig().setEnabled(false);
        joining.getAutoDetectionConfig().setEnabled(false);
        joining.getTcpIpConfig().setEnabled(true).addMember(address + ":" + port);
        joinMembers(join, port, InetAddress::getAllByName).forEach(a -> joining.getTcpIpConfig().addMember(a));
        config.getMemberAttributeConfig().setAttribute(MemberAttributes.ROLE, MemberAttributes.ROLE_SCHEDULER);
        config.getMemberAttributeConfig().setAttribute(MemberAttributes.SCHEDULER_API, apiAddress);
        config.addListenerConfig(new ListenerConfig((LifecycleListener) event -> {
            if (event.getState() == LifecycleEvent.LifecycleState.SHUTTING_DOWN && !closing) {
                stopped.accept("its Hazelcast member is shutting down (another member shut the cluster down, or it failed)");
            }
        }));
        hz = Hazelcast.newHazelcastInstance(config);
        hz.getCluster().addMembershipListener(new MembershipListener() {
            @Override
            public void memberAdded(MembershipEvent event) {
                membershipChanged.run();
            }

            @Override
            public void memberRemoved(MembershipEvent event) {
                membershipChanged.run();
            }
        });
        graphs = new SealedMap(hz.getMap(MemberAttributes.GRAPH_MAP), sealer);
        artifacts = new SealedMap(hz.getMap(MemberAttributes.ARTIFACT_MAP), sealer);
        workers = new SealedMap(hz.getMap(MemberAttributes.WORKER_MAP), sealer);
    }

    /**
     * Hazelcast binds to an interface's address, never a name: a scheduler announced by a DNS name (a pod's, under
     * TLS) binds to what the name resolves to.
     */
    static String interfaceAddress(String host) {
        try {
            return InetAddress.getByName(host).getHostAddress();
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("--host " + host + " does not resolve to an address of this machine: " + e.getMessage(), e);
        }
    }

    /**
     * Every value Partita keeps in Hazelcast is a byte array (Hazelcast's own serializer), so no member needs Java
     * serialization but for Hazelcast's own few classes (an enum such as a cluster state in an operation): refusing every other
     * class keeps a member or client that knows the cluster name from running a deserialization gadget on the
     * scheduler through a map entry or an event.
     */
    static void refuseJavaSerialization(Config config) {
        JavaSerializationFilterConfig onlyHazelcast = new JavaSerializationFilterConfig().setDefaultsDisabled(true);
        onlyHazelcast.getWhitelist().addPrefixes("com.hazelcast.").addClasses("java.lang.Enum"); // enums read by name
        config.getSerializationConfig().setJavaSerializationFilterConfig(onlyHazelcast);
    }

    /** Name resolution, replaceable in tests. */
    @FunctionalInterface
    interface Resolver {
        InetAddress[] allByName(String host) throws UnknownHostException;
    }

    /**
     * The {@code --join} entries as Hazelcast TCP-IP members, each name replaced by every address it resolves to now
     * (a Kubernetes headless Service stands for all the scheduler pods). Needed because Hazelcast, with this member
     * bound to one interface, keeps of a name's addresses only those on that interface: the other schedulers'. A name
     * that does not resolve yet (no other scheduler is up) is left out; an entry without a port gets {@code defaultPort}.
     */
    static List<String> joinMembers(List<String> join, int defaultPort, Resolver resolver) {
        Set<String> members = new LinkedHashSet<>();
        for (String entry : join) {
            String a = entry.strip();
            if (a.isEmpty()) {
                continue;
            }
            String host = a;
            String port = Integer.toString(defaultPort);
            int close = a.indexOf(']');
            if (a.startsWith("[") && close > 0) { // [ipv6] or [ipv6]:port
                host = a.substring(1, close);
                port = a.startsWith(":", close + 1) ? a.substring(close + 2) : port;
            } else if (a.indexOf(':') > 0 && a.indexOf(':') == a.lastIndexOf(':')) { // host:port, not a bare IPv6
                host = a.substring(0, a.indexOf(':'));
                port = a.substring(a.indexOf(':') + 1);
            }
            try {
                for (InetAddress address : resolver.allByName(host)) {
                    members.add(address instanceof Inet6Address ? "[" + address.getHostAddress() + "]:" + port
                            : address.getHostAddress() + ":" + port);
                }
            } catch (UnknownHostException e) {
                LOG.info("--join {} does not resolve (yet): not joining through it", a);
            }
        }
        return List.copyOf(members);
    }

    /** Schedulers in the Hazelcast cluster, as this member sees them (for /metrics). */
    public int schedulerCount() {
        return schedulers().size();
    }

    /** Whether this scheduler is the oldest scheduler member: the one that is active. */
    public boolean isOldestScheduler() {
        return schedulers().getFirst().localMember();
    }

    /** The client API addresses of the schedulers, oldest (active) first. */
    public List<String> schedulerApis() {
        return schedulers().stream().map(m -> m.getAttribute(MemberAttributes.SCHEDULER_API)).toList();
    }

    private List<Member> schedulers() {
        return hz.getCluster().getMembers().stream()
                .filter(m -> MemberAttributes.ROLE_SCHEDULER.equals(m.getAttribute(MemberAttributes.ROLE)))
                .toList();
    }

    /** The accepted graphs, sealed (see {@code GraphStore}). */
    public SealedMap graphs() {
        return graphs;
    }

    /** Uploaded jars by SHA-256, sealed, so that a scheduler taking over can serve them to workers too. */
    public SealedMap artifacts() {
        return artifacts;
    }

    /**
     * The workers registered with the active scheduler, by id (the value: their name), sealed: what a scheduler
     * taking over waits for. Written by the active scheduler only.
     */
    public SealedMap workers() {
        return workers;
    }

    @Override
    public void close() {
        closing = true;
        hz.shutdown();
    }
}
