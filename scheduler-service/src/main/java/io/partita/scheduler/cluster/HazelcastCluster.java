package io.partita.scheduler.cluster;

import com.hazelcast.cluster.Member;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.NetworkConfig;
import com.hazelcast.core.EntryEvent;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import com.hazelcast.map.listener.EntryAddedListener;
import com.hazelcast.map.listener.EntryRemovedListener;
import com.hazelcast.map.listener.EntryUpdatedListener;
import io.partita.common.codec.MessageCodec;
import io.partita.common.protocol.MemberAttributes;
import io.partita.common.protocol.WorkerLoad;
import io.partita.scheduler.metrics.ClusterLoad;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The scheduler's Hazelcast data member: membership (workers leaving), the workers' published load, and which
 * scheduler is active. Several schedulers may form one cluster ({@code --join}); the active one is the oldest
 * scheduler member (Hazelcast orders members by when they joined, the same on every member), so when it leaves the
 * next oldest takes over without an election round. The others stand by.
 */
public final class HazelcastCluster implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HazelcastCluster.class);

    private final HazelcastInstance hz;
    private final Map<String, WorkerLoad> loads = new ConcurrentHashMap<>();
    private final ClusterLoad totals = new ClusterLoad();

    /**
     * Blocking (a few seconds): call off the event loop. {@code workerLeft} and {@code membershipChanged} are called
     * on a Hazelcast thread.
     *
     * @param join     other schedulers' Hazelcast addresses ({@code host:port}) to join, none for a first one
     * @param apiAddress this scheduler's client API address, published for the others
     */
    public HazelcastCluster(String host, int port, String clusterName, String schedulerId, List<String> join, String apiAddress,
                     Consumer<String> workerLeft, Runnable membershipChanged) {
        Config config = new Config();
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
        network.getInterfaces().setEnabled(true).addInterface(host);
        JoinConfig joining = network.getJoin();
        joining.getMulticastConfig().setEnabled(false);
        joining.getAutoDetectionConfig().setEnabled(false);
        joining.getTcpIpConfig().setEnabled(true).addMember(host + ":" + port);
        joinMembers(join, port, InetAddress::getAllByName).forEach(a -> joining.getTcpIpConfig().addMember(a));
        config.getMemberAttributeConfig().setAttribute(MemberAttributes.ROLE, MemberAttributes.ROLE_SCHEDULER);
        config.getMemberAttributeConfig().setAttribute(MemberAttributes.SCHEDULER_API, apiAddress);
        hz = Hazelcast.newHazelcastInstance(config);
        hz.getCluster().addMembershipListener(new MembershipListener() {
            @Override
            public void memberAdded(MembershipEvent event) {
                membershipChanged.run();
            }

            @Override
            public void memberRemoved(MembershipEvent event) {
                String workerId = event.getMember().getAttribute(MemberAttributes.WORKER_ID);
                if (workerId != null) {
                    loads.remove(workerId);
                    totals.left(workerId);
                    workerLeft.accept(workerId);
                }
                membershipChanged.run();
            }
        });
        IMap<String, byte[]> loadMap = hz.getMap(MemberAttributes.WORKER_LOAD_MAP);
        loadMap.addEntryListener(new LoadListener(), true);
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

    public Map<String, WorkerLoad> loads() {
        return loads;
    }

    /** The workers' loads summed, with transfer counts kept across workers leaving (for /metrics). */
    public ClusterLoad totals() {
        return totals;
    }

    /** Hazelcast members by role ({@link MemberAttributes#ROLE}: scheduler, worker), as this member sees them. */
    public Map<String, Integer> membersByRole() {
        Map<String, Integer> counts = new java.util.TreeMap<>();
        counts.put(MemberAttributes.ROLE_SCHEDULER, 0);
        counts.put(MemberAttributes.ROLE_WORKER, 0);
        for (Member m : hz.getCluster().getMembers()) {
            String role = m.getAttribute(MemberAttributes.ROLE);
            counts.merge(role == null ? "other" : role, 1, Integer::sum);
        }
        return counts;
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

    /** Whether the member with {@code uuid} is in the cluster now, as this member sees it. */
    public boolean hasMember(String uuid) {
        return hz.getCluster().getMembers().stream().anyMatch(m -> m.getUuid().toString().equals(uuid));
    }

    /** Ids of the workers that are Hazelcast members now (those a scheduler taking over waits for). */
    public List<String> workerIds() {
        return hz.getCluster().getMembers().stream()
                .map(m -> m.getAttribute(MemberAttributes.WORKER_ID)).filter(java.util.Objects::nonNull).toList();
    }

    /** The accepted graphs (see {@link GraphRegistry}). */
    public IMap<String, byte[]> graphs() {
        return hz.getMap(MemberAttributes.GRAPH_MAP);
    }

    /** Uploaded jars by SHA-256, so that a scheduler taking over can serve them to workers too. */
    public IMap<String, byte[]> artifacts() {
        return hz.getMap(MemberAttributes.ARTIFACT_MAP);
    }

    /** Addresses of the data members (schedulers), for workers to join through. */
    public List<String> memberAddresses() {
        return hz.getCluster().getMembers().stream()
                .filter(m -> !m.isLiteMember())
                .map(Member::getAddress)
                .map(a -> a.getHost() + ":" + a.getPort())
                .toList();
    }

    @Override
    public void close() {
        hz.shutdown();
    }

    private final class LoadListener implements EntryAddedListener<String, byte[]>, EntryUpdatedListener<String, byte[]>,
            EntryRemovedListener<String, byte[]> {
        @Override
        public void entryAdded(EntryEvent<String, byte[]> event) {
            update(event);
        }

        @Override
        public void entryUpdated(EntryEvent<String, byte[]> event) {
            update(event);
        }

        @Override
        public void entryRemoved(EntryEvent<String, byte[]> event) {
            loads.remove(event.getKey());
        }

        private void update(EntryEvent<String, byte[]> event) {
            try {
                WorkerLoad load = MessageCodec.fromCbor(event.getValue(), WorkerLoad.class, 1 << 20);
                loads.put(event.getKey(), load);
                totals.published(load);
            } catch (RuntimeException e) {
                LOG.warn("ignoring an undecodable load of worker {}: {}", event.getKey(), e.getMessage());
            }
        }
    }
}
