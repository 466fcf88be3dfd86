package io.partita.it.security;

import static org.assertj.core.api.Assertions.assertThat;

import com.hazelcast.client.HazelcastClient;
import com.hazelcast.client.config.ClientConfig;
import com.hazelcast.config.Config;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import io.partita.client.Client;
import io.partita.client.ClientOptions;
import io.partita.client.TaskFuture;
import io.partita.it.ClusterProcesses;
import io.partita.testnet.FreePorts;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.HashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The attacks through Hazelcast, as an outsider who knows only the cluster name (the open-source edition
 * authenticates no member), against real processes: a scheduler with a token, a standby and a worker. The outsider
 * reads only sealed bytes; what it plants is not replayed at failover while the real graph is; a lite member carrying
 * the worker's id joins and leaves without the worker being dropped; and {@code Cluster.shutdown()} makes the
 * scheduler report it and exit 1, to be restarted, instead of going on with a dead Hazelcast.
 */
@Timeout(300)
class HazelcastAttackTest {
    private static final String TOKEN = "hazelcast-attack-" + System.nanoTime();
    private static final String SECRET = "hunter2-" + System.nanoTime();

    @Test
    void nothingAnOutsiderDoesThroughHazelcastIsTrustedAndAShutdownStopsTheSchedulerLoudly() throws Exception {
        try (ClusterProcesses cluster = ClusterProcesses.scheduler("hazelcast-attack", TOKEN)) {
            ClusterProcesses.Scheduler first = cluster.schedulers().getFirst();
            ClusterProcesses.Scheduler standby = cluster.addStandby();
            cluster.addWorker(1);
            cluster.awaitWorkers(1);
            String workerId = cluster.workerStatus().getFirst().info().workerId();

            try (Client client = Client.connect(ClientOptions.of(cluster.address()).withToken(TOKEN))) {
                TaskFuture<Integer> held = client.submit((String s) -> s.length(), SECRET); // its graph stays stored
                assertThat(held.get(60, TimeUnit.SECONDS)).isEqualTo(SECRET.length());

                HazelcastInstance outsider = outsider(first.hazelcastPort());
                HazelcastInstance liteMember = null;
                try {
                    IMap<String, Object> graphs = outsider.getMap("partita.graphs");
                    assertThat(graphs.size()).as("the stored graph").isEqualTo(1);
                    String key = graphs.keySet().iterator().next();
                    byte[] sealed = (byte[]) graphs.get(key);
                    assertThat(new String(sealed, StandardCharsets.ISO_8859_1)).doesNotContain(SECRET).doesNotContain("hunter2");
                    graphs.set("evil-client/1", sealed); // moved to another key
                    graphs.set("evil-client/2", "an unsealed graph".getBytes(StandardCharsets.UTF_8));
                    graphs.set("evil-client/3", new HashMap<>(java.util.Map.of("a", "b"))); // a Java object
                    outsider.getMap("partita.artifacts").set("0".repeat(64), "a planted jar".getBytes(StandardCharsets.UTF_8));

                    liteMember = liteMember(first.hazelcastPort(), workerId);
                    liteMember.shutdown();
                    // a worker is judged by its own connection alone: still registered well after the member left
                    long until = System.nanoTime() + Duration.ofSeconds(6).toNanos();
                    while (System.nanoTime() < until) {
                        assertThat(cluster.workerStatus()).extracting(w -> w.info().workerId()).containsExactly(workerId);
                        Thread.sleep(200); // the pace of the check over a window, not a wait for an outcome
                    }

                    first.process().destroyForcibly();
                    cluster.waitUntil("the standby to take over", Duration.ofSeconds(60),
                            () -> cluster.active().filter(standby::equals).isPresent());
                    assertThat(client.submit((Integer x) -> x + 1, 41).get(60, TimeUnit.SECONDS)).isEqualTo(42);
                    String log = Files.readString(cluster.logs().resolve("scheduler-2.log"));
                    assertThat(log).contains("1 accepted graphs of 1 clients replayed")
                            .contains("ignoring the entry evil-client/1 of partita.graphs")
                            .contains("ignoring the entry evil-client/2 of partita.graphs")
                            .contains("ignoring the entry " + "0".repeat(64) + " of partita.artifacts")
                            .doesNotContain(SECRET);
                    assertThat(held.get(60, TimeUnit.SECONDS)).isEqualTo(SECRET.length());

                    HazelcastInstance shutter = liteMember(standby.hazelcastPort(), "anyone");
                    cluster.waitUntil("the partitions to settle", Duration.ofSeconds(60),
                            () -> shutter.getPartitionService().isClusterSafe()); // Hazelcast refuses a shutdown mid-migration
                    shutter.getCluster().shutdown();
                    assertThat(standby.process().waitFor(60, TimeUnit.SECONDS)).as("the scheduler exits").isTrue();
                    assertThat(standby.process().exitValue()).isEqualTo(1);
                    assertThat(Files.readString(cluster.logs().resolve("scheduler-2.log")))
                            .contains("this scheduler cannot go on: its Hazelcast member is shutting down");
                } finally {
                    outsider.shutdown();
                    if (liteMember != null) {
                        liteMember.shutdown();
                    }
                }
            }
        }
    }

    private static HazelcastInstance outsider(int port) {
        ClientConfig config = new ClientConfig();
        config.setClusterName("partita");
        config.getNetworkConfig().addAddress("127.0.0.1:" + port);
        config.setProperty("hazelcast.phone.home.enabled", "false");
        config.setProperty("hazelcast.logging.type", "slf4j");
        return HazelcastClient.newHazelcastClient(config);
    }

    /** A lite member of the cluster at {@code port} that carries the attributes a worker's member once had. */
    private static HazelcastInstance liteMember(int port, String workerId) throws java.io.IOException {
        Config config = new Config().setClusterName("partita").setLiteMember(true);
        config.setProperty("hazelcast.phone.home.enabled", "false");
        config.setProperty("hazelcast.logging.type", "slf4j");
        config.setProperty("hazelcast.wait.seconds.before.join", "0");
        config.getMemberAttributeConfig().setAttribute("partita.role", "worker");
        config.getMemberAttributeConfig().setAttribute("partita.worker-id", workerId);
        config.getNetworkConfig().setPort(FreePorts.next()).setPortAutoIncrement(false);
        config.getNetworkConfig().getInterfaces().setEnabled(true).addInterface("127.0.0.1");
        config.getNetworkConfig().getJoin().getMulticastConfig().setEnabled(false);
        config.getNetworkConfig().getJoin().getAutoDetectionConfig().setEnabled(false);
        config.getNetworkConfig().getJoin().getTcpIpConfig().setEnabled(true).addMember("127.0.0.1:" + port);
        return Hazelcast.newHazelcastInstance(config);
    }
}
