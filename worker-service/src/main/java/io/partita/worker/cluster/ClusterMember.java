package io.partita.worker.cluster;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.NetworkConfig;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import io.partita.common.codec.MessageCodec;
import io.partita.common.protocol.ClusterInfo;
import io.partita.common.protocol.MemberAttributes;
import io.partita.common.protocol.WorkerLoad;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Map;

/** This worker as a Hazelcast lite member: membership (failure detection) and the load it publishes. */
public final class ClusterMember implements AutoCloseable {
    /** Workers take member ports from here up, so they do not collide with the scheduler's 5701. */
    static final int FIRST_PORT = 5702;
    static final int PORT_COUNT = 500;

    private final HazelcastInstance hazelcast;
    private final IMap<String, byte[]> loads;

    private ClusterMember(HazelcastInstance hazelcast) {
        this.hazelcast = hazelcast;
        this.loads = hazelcast.getMap(MemberAttributes.WORKER_LOAD_MAP);
    }

    /** Joins the cluster {@code info} describes; blocks until joined. */
    public static ClusterMember join(ClusterInfo info, String host, Map<String, String> attributes) {
        Config config = new Config();
        config.setClusterName(info.clusterName());
        config.setInstanceName("partita-worker-" + attributes.get(MemberAttributes.WORKER_ID));
        config.setLiteMember(true);
        config.setProperty("hazelcast.phone.home.enabled", "false"); // never call out of the cluster
        config.setProperty("hazelcast.logging.type", "slf4j");
        config.setProperty("hazelcast.shutdownhook.enabled", "false"); // the worker closes it in order
        config.setProperty("hazelcast.heartbeat.interval.seconds", "1");
        config.setProperty("hazelcast.max.no.heartbeat.seconds", "5");
        config.setProperty("hazelcast.wait.seconds.before.join", "0");
        config.setProperty("hazelcast.socket.bind.any", "false");
        NetworkConfig net = config.getNetworkConfig();
        net.setPort(FIRST_PORT).setPortAutoIncrement(true).setPortCount(PORT_COUNT);
        String ip = ipOf(host);
        if (!ip.equals("0.0.0.0")) {
            net.getInterfaces().setEnabled(true).addInterface(ip);
        }
        JoinConfig join = net.getJoin();
        join.getMulticastConfig().setEnabled(false);
        join.getAutoDetectionConfig().setEnabled(false);
        join.getTcpIpConfig().setEnabled(true).setMembers(info.members());
        attributes.forEach((k, v) -> config.getMemberAttributeConfig().setAttribute(k, v));
        return new ClusterMember(Hazelcast.newHazelcastInstance(config));
    }

    private static String ipOf(String host) {
        try {
            return InetAddress.getByName(host).getHostAddress();
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("--host " + host + " does not resolve: " + e.getMessage(), e);
        }
    }

    public String memberUuid() {
        return hazelcast.getCluster().getLocalMember().getUuid().toString();
    }

    /** Publishes without blocking the caller. */
    public void publish(WorkerLoad load) {
        loads.setAsync(load.workerId(), MessageCodec.toCbor(load));
    }

    @Override
    public void close() {
        hazelcast.shutdown();
    }
}
