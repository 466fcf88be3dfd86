package io.partita.scheduler.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.hazelcast.client.HazelcastClient;
import com.hazelcast.client.config.ClientConfig;
import com.hazelcast.config.Config;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import io.partita.testnet.FreePorts;
import java.io.ObjectInputStream;
import java.io.Serial;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * An outsider that knows only the cluster name (Hazelcast's open-source edition authenticates nobody) against a
 * scheduler's Hazelcast member: it reads only sealed bytes, and nothing it plants is read back as Partita's.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class HazelcastOutsiderTest {
    private static final byte[] GRAPH = "the graph of client-1, literal: hunter2".getBytes(StandardCharsets.UTF_8);
    /** Set when a planted object's readObject runs: a deserialization gadget would run its payload there. */
    static final AtomicBoolean GADGET_RAN = new AtomicBoolean();

    private HazelcastCluster scheduler;
    private HazelcastInstance outsider;

    /** What a gadget chain looks like to the reader: code that runs while it is deserialized. */
    static final class Gadget implements Serializable {
        @Serial
        private static final long serialVersionUID = 1L;

        @Serial
        private void readObject(ObjectInputStream in) throws java.io.IOException, ClassNotFoundException {
            in.defaultReadObject();
            GADGET_RAN.set(true);
        }
    }

    private final CompletableFuture<String> stopped = new CompletableFuture<>();
    private String name;
    private int port;

    @BeforeEach
    void start() throws Exception {
        port = FreePorts.next();
        name = "partita-outsider-" + port;
        scheduler = new HazelcastCluster("127.0.0.1", port, name, "s1", List.of(), "127.0.0.1:1",
                Sealer.of("s3cret".getBytes(StandardCharsets.UTF_8)), () -> { }, stopped::complete);
        ClientConfig client = new ClientConfig();
        client.setClusterName(name);
        client.getNetworkConfig().addAddress("127.0.0.1:" + port);
        client.setProperty("hazelcast.phone.home.enabled", "false");
        outsider = HazelcastClient.newHazelcastClient(client);
    }

    @AfterEach
    void stop() {
        outsider.shutdown();
        scheduler.close();
    }

    @Test
    void theOutsiderReadsOnlySealedBytesAndNothingItPlantsIsReplayed() {
        scheduler.graphs().set("client-1/7", GRAPH);
        IMap<String, Object> graphs = outsider.getMap(MemberAttributes.GRAPH_MAP);
        byte[] stolen = (byte[]) graphs.get("client-1/7");
        assertThat(new String(stolen, StandardCharsets.ISO_8859_1)).doesNotContain("hunter2");

        graphs.set("evil/1", stolen); // a sealed entry moved to another key
        byte[] open = new byte[GRAPH.length + 3];
        open[0] = 'P';
        open[1] = 'S';
        System.arraycopy(GRAPH, 0, open, 3, GRAPH.length);
        graphs.set("evil/2", open); // the unsealed format
        graphs.set("evil/3", GRAPH); // raw bytes, as graphs were stored before they were sealed
        graphs.set("evil/4", new Gadget()); // a Java object

        Map<String, byte[]> replayed = new HashMap<>();
        scheduler.graphs().forEachVerified(replayed::put);

        assertThat(replayed).containsOnlyKeys("client-1/7");
        assertThat(replayed.get("client-1/7")).isEqualTo(GRAPH);
        assertThat(GADGET_RAN).as("the planted object's readObject ran on the scheduler").isFalse();
    }

    @Test
    void aJavaObjectPlantedInAMapIsNeverDeserializedAndTheMemberKeepsServing() {
        scheduler.workers().set("w-1", "worker-one".getBytes(StandardCharsets.UTF_8));
        IMap<String, Object> workers = outsider.getMap(MemberAttributes.WORKER_MAP);
        workers.set("w-2", new Gadget());
        IMap<String, Object> loads = outsider.getMap("partita.worker-load"); // where workers once published their load
        loads.set("w-1", new Gadget());

        Map<String, byte[]> expected = new HashMap<>();
        scheduler.workers().forEachVerified(expected::put);

        assertThat(expected).containsOnlyKeys("w-1");
        assertThat(GADGET_RAN).as("the planted object's readObject ran on the scheduler").isFalse();
        scheduler.graphs().set("client-1/8", GRAPH);
        assertThat(scheduler.graphs().get("client-1/8")).as("the member still serves").hasValue(GRAPH);
    }

    @Test
    void aLiteMemberShuttingTheClusterDownIsReportedAsTheSchedulerStopping() throws Exception {
        Config config = new Config().setClusterName(name).setLiteMember(true);
        config.setProperty("hazelcast.phone.home.enabled", "false");
        config.setProperty("hazelcast.logging.type", "slf4j");
        config.setProperty("hazelcast.wait.seconds.before.join", "0");
        config.getNetworkConfig().setPort(FreePorts.next()).setPortAutoIncrement(false);
        config.getNetworkConfig().getInterfaces().setEnabled(true).addInterface("127.0.0.1");
        config.getNetworkConfig().getJoin().getMulticastConfig().setEnabled(false);
        config.getNetworkConfig().getJoin().getAutoDetectionConfig().setEnabled(false);
        config.getNetworkConfig().getJoin().getTcpIpConfig().setEnabled(true).addMember("127.0.0.1:" + port);
        HazelcastInstance member = Hazelcast.newHazelcastInstance(config);
        try {
            assertThat(stopped).isNotDone();
            member.getCluster().shutdown();
            assertThat(stopped.get(60, TimeUnit.SECONDS)).contains("shutting down");
        } finally {
            member.shutdown();
        }
    }

    @Test
    void aStoredGraphThatDoesNotDecodeCostsOnlyItselfAtReplay() throws Exception {
        io.partita.scheduler.store.GraphStore store = new io.partita.scheduler.store.GraphStore(scheduler.graphs());
        io.partita.common.task.FunctionSpec f = io.partita.common.task.FunctionSpec.of("inc", new byte[] {1}, List.of());
        io.partita.common.task.TaskSpec t = io.partita.common.task.TaskSpec.of("inc-1", f.id(), List.of());
        byte[] good = io.partita.common.codec.MessageCodec.toCbor((io.partita.common.protocol.ClientRequest)
                new io.partita.common.protocol.ClientRequest.SubmitGraph(1,
                        new io.partita.common.task.GraphSpec(List.of(f), List.of(t), List.of("inc-1"))));
        store.put("client-1", 1, good).toCompletableFuture().get(30, TimeUnit.SECONDS);
        store.put("client-1", 2, "sealed, but no graph".getBytes(StandardCharsets.UTF_8)).toCompletableFuture().get(30, TimeUnit.SECONDS);

        assertThat(store.load(1 << 20)).extracting(io.partita.scheduler.store.GraphStore.Entry::requestId).containsExactly(1L);
    }
}
