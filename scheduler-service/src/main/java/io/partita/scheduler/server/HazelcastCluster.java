package io.partita.scheduler.server;

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
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The scheduler's Hazelcast data member: membership (workers leaving) and the workers' published load. */
final class HazelcastCluster implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HazelcastCluster.class);

    private final HazelcastInstance hz;
    private final Map<String, WorkerLoad> loads = new ConcurrentHashMap<>();

    /** Blocking (a few seconds): call off the event loop. {@code workerLeft} is called on a Hazelcast thread. */
    HazelcastCluster(String host, int port, String clusterName, String schedulerId, Consumer<String> workerLeft) {
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
        JoinConfig join = network.getJoin();
        join.getMulticastConfig().setEnabled(false);
        join.getAutoDetectionConfig().setEnabled(false);
        join.getTcpIpConfig().setEnabled(true).addMember(host + ":" + port);
        config.getMemberAttributeConfig().setAttribute(MemberAttributes.ROLE, MemberAttributes.ROLE_SCHEDULER);
        hz = Hazelcast.newHazelcastInstance(config);
        hz.getCluster().addMembershipListener(new MembershipListener() {
            @Override
            public void memberAdded(MembershipEvent event) { }

            @Override
            public void memberRemoved(MembershipEvent event) {
                String workerId = event.getMember().getAttribute(MemberAttributes.WORKER_ID);
                if (workerId != null) {
                    loads.remove(workerId);
                    workerLeft.accept(workerId);
                }
            }
        });
        IMap<String, byte[]> loadMap = hz.getMap(MemberAttributes.WORKER_LOAD_MAP);
        loadMap.addEntryListener(new LoadListener(), true);
    }

    Map<String, WorkerLoad> loads() {
        return loads;
    }

    /** Addresses of the data members (schedulers), for workers to join through. */
    List<String> memberAddresses() {
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
                loads.put(event.getKey(), MessageCodec.fromCbor(event.getValue(), WorkerLoad.class, 1 << 20));
            } catch (RuntimeException e) {
                LOG.warn("ignoring an undecodable load of worker {}: {}", event.getKey(), e.getMessage());
            }
        }
    }
}
