package io.partita.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.partita.client.Client;
import io.partita.client.ClientOptions;
import io.partita.client.Delayed;
import io.partita.client.GatherMode;
import io.partita.client.GraphRejectedException;
import io.partita.client.TaskFailedException;
import io.partita.client.TaskFuture;
import io.partita.common.codec.ValueCodec;
import io.partita.common.fn.Fn1;
import io.partita.common.protocol.ClientRequest;
import io.partita.common.protocol.ClientUpdate;
import io.partita.common.protocol.WorkerStatus;
import io.partita.common.task.Arg;
import io.partita.common.task.FunctionSpec;
import io.partita.common.task.GraphSpec;
import io.partita.common.task.TaskSpec;
import io.partita.it.TestOnlyTypes.Reading;
import io.partita.it.TestOnlyTypes.SensorFault;
import io.partita.it.TestOnlyTypes.Summary;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/** One real cluster (a scheduler and two workers, separate JVMs started by the bin/ launchers) for many checks. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(180)
class ClusterTest {
    private ClusterProcesses cluster;
    private Client client;

    @BeforeAll
    void start() throws Exception {
        cluster = ClusterProcesses.start("cluster", 2, 2, null, "--max-message-size", "8MiB");
        client = Client.connect(cluster.address());
    }

    @AfterAll
    void stop() {
        if (client != null) {
            client.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void schedulerAndWorkersAnswerHealthAndWorkersReportTheirLoad() {
        assertThat(cluster.status("http://127.0.0.1:" + cluster.dashboardPort + "/health")).isEqualTo(200);
        List<WorkerStatus> workers = cluster.workerStatus();
        assertThat(workers).hasSize(2).allSatisfy(w -> {
            assertThat(cluster.status("http://127.0.0.1:" + w.info().httpPort() + "/health")).isEqualTo(200);
        });
        cluster.waitUntil("both workers' load reported", Duration.ofSeconds(10),
                () -> cluster.workerStatus().stream().allMatch(w -> w.load() != null && w.load().processBytes() > 0));
    }

    @Test
    void mapOverTenThousandItems() {
        List<Integer> items = IntStream.range(0, 10_000).boxed().toList();
        List<TaskFuture<Integer>> futures = client.map((Integer x) -> x * 2, items);
        List<Integer> results = client.gather(futures);
        assertThat(results).hasSize(10_000);
        for (int i = 0; i < results.size(); i++) {
            assertThat(results.get(i)).isEqualTo(2 * i);
        }
        // Both workers took part.
        assertThat(futures.stream().map(TaskFuture::key).distinct()).hasSize(10_000);
    }

    @Test
    void treeReductionOf1024Leaves() {
        TaskFuture<Long> root = Trees.pairwiseSum(client, client.map((Integer x) -> (long) x, IntStream.range(0, 1024).boxed().toList()));
        assertThat(root.result(Duration.ofSeconds(60))).isEqualTo(1023L * 1024 / 2);
    }

    @Test
    void diamondDependencies() throws Exception {
        TaskFuture<Integer> a = client.submit(() -> 10);
        TaskFuture<Integer> b = client.submit((Integer x) -> x + 1, a);
        TaskFuture<Integer> c = client.submit((Integer x) -> x * 2, a);
        TaskFuture<Integer> d = client.submit((Integer x, Integer y) -> x + y, b, c);
        assertThat(d.result()).isEqualTo(31);

        Delayed<Integer> root = Delayed.of(() -> 3);
        Delayed<Integer> left = Delayed.of((Integer x) -> x * 10, root);
        Delayed<Integer> right = Delayed.of((Integer x) -> x * 100, root);
        TaskFuture<Integer> joined = client.compute(Delayed.of((Integer x, Integer y) -> x + y, left, right));
        assertThat(joined.toCompletableFuture().thenApply(v -> v + 1).get()).isEqualTo(331);
    }

    @Test
    void exceptionsReachTheClientWithTypeMessageAndStackAndFailDependents() {
        TaskFuture<Integer> bad = client.submit((Integer x) -> {
            throw new SensorFault("sensor " + x + " unplugged");
        }, 7);
        TaskFuture<Integer> dependent = client.submit((Integer x) -> x + 1, bad);
        TaskFuture<Integer> unaffected = client.submit(() -> 5);

        assertThatThrownBy(bad::get).isInstanceOf(ExecutionException.class).cause()
                .isInstanceOf(SensorFault.class).hasMessage("sensor 7 unplugged")
                .satisfies(t -> assertThat(t.getStackTrace()).anySatisfy(frame ->
                        assertThat(frame.getMethodName()).contains("exceptionsReachTheClient")));
        assertThatThrownBy(dependent::result).isInstanceOf(TaskFailedException.class)
                .cause().isInstanceOf(SensorFault.class).hasMessage("sensor 7 unplugged");
        assertThat(unaffected.result()).isEqualTo(5);
    }

    @Test
    void codeThatExistsOnlyOnTheTestClassPathRunsOnWorkers() throws Exception {
        List<TaskFuture<Reading>> readings = client.map((Integer i) -> new Reading("s" + i, i).warmer(0.5),
                IntStream.range(0, 100).boxed().toList());
        TaskFuture<Summary> summary = client.submit((List<Reading> rs) -> TestOnlyTypes.summarize(rs), readings);
        assertThat(summary.toCompletableFuture().get()).isEqualTo(new Summary(100, 50.0));
        assertThat(readings.get(3).result()).isEqualTo(new Reading("s3", 3.5));
    }

    @Test
    void gatherThroughTheSchedulersFlightProxy() {
        try (Client viaProxy = Client.connect(ClientOptions.of(cluster.address()).withGatherMode(GatherMode.PROXY))) {
            List<TaskFuture<String>> futures = viaProxy.map((Integer i) -> "v" + i, List.of(1, 2, 3));
            assertThat(viaProxy.gather(futures)).containsExactly("v1", "v2", "v3");
        }
    }

    @Test
    void cancelStopsAFutureAndLeavesTheRest() {
        TaskFuture<Integer> slow = client.submit(() -> {
            Thread.sleep(1500);
            return 1;
        });
        TaskFuture<Integer> dependent = client.submit((Integer x) -> x + 1, slow);
        client.cancel(dependent);
        assertThatThrownBy(dependent::result).isInstanceOf(CancellationException.class);
        assertThat(slow.result()).isEqualTo(1);
    }

    @Test
    void resultsAreReleasedWhenFuturesAreDropped() {
        // A long-running client: 100,000 tasks in rounds, each round's futures dropped.
        for (int round = 0; round < 10; round++) {
            List<TaskFuture<Integer>> futures = client.map((Integer x) -> x, IntStream.range(0, 10_000).boxed().toList());
            assertThat(client.gather(futures)).hasSize(10_000);
        }
        // Dropped futures are released when collected; the workers' stores must come back down.
        cluster.waitUntil("stored keys to drop after futures were dropped", Duration.ofSeconds(60), () -> {
            System.gc();
            return storedKeys() < 200;
        });
        assertThat(cluster.workerStatus()).allSatisfy(w -> assertThat(w.load().storedBytes()).isLessThan(1 << 20));
    }

    private long storedKeys() {
        return cluster.workerStatus().stream().filter(w -> w.load() != null)
                .mapToLong(w -> w.load().storedKeys()).sum();
    }

    @Test
    void badGraphsAreRefusedWithTheirReasonAndChangeNothing() throws Exception {
        TaskFuture<Integer> earlier = client.submit(() -> 42);
        assertThat(earlier.result()).isEqualTo(42);
        byte[] fnBytes = ValueCodec.encode((Fn1<Integer, Integer>) x -> x);
        FunctionSpec fn = FunctionSpec.of("identity", fnBytes, List.of());
        Arg one = new Arg.Literal(ValueCodec.encode(1));

        try (RawClientConnection raw = new RawClientConnection(cluster.address())) {
            raw.send(new ClientRequest.SubmitGraph(1, new GraphSpec(List.of(fn), List.of(
                    TaskSpec.of("a-1", fn.id(), List.of(new Arg.Ref("b-1"))),
                    TaskSpec.of("b-1", fn.id(), List.of(new Arg.Ref("a-1")))), List.of("a-1"))));
            assertThat(raw.await(ClientUpdate.RequestFailed.class, r -> r.requestId() == 1).error()).containsIgnoringCase("cycle");

            raw.send(new ClientRequest.SubmitGraph(2, new GraphSpec(List.of(fn), List.of(
                    TaskSpec.of("c-1", fn.id(), List.of(new Arg.Ref("nowhere-1")))), List.of("c-1"))));
            assertThat(raw.await(ClientUpdate.RequestFailed.class, r -> r.requestId() == 2).error())
                    .contains("c-1").contains("nowhere-1");

            FunctionSpec unuploaded = FunctionSpec.of("identity", fnBytes, List.of("0".repeat(64)));
            raw.send(new ClientRequest.SubmitGraph(3, new GraphSpec(List.of(unuploaded), List.of(
                    TaskSpec.of("d-1", unuploaded.id(), List.of(one))), List.of("d-1"))));
            assertThat(raw.await(ClientUpdate.RequestFailed.class, r -> r.requestId() == 3).error())
                    .contains("0".repeat(64)).contains("not uploaded");

            raw.sendBytes(new byte[] {(byte) 0xbf, 0x61, 0x01, 0x02, 0x03});
            assertThat(raw.await(ClientUpdate.RequestFailed.class, r -> r.requestId() == 0).error()).contains("undecodable");

            // A payload that is not a function: accepted by the scheduler (it never runs user code), refused by
            // the worker with a clear error on that task only.
            FunctionSpec garbage = FunctionSpec.of("garbage", new byte[] {1, 9, 9, 9}, List.of());
            raw.send(new ClientRequest.SubmitGraph(4, new GraphSpec(List.of(garbage), List.of(
                    TaskSpec.of("e-1", garbage.id(), List.of(one))), List.of("e-1"))));
            raw.await(ClientUpdate.GraphAccepted.class, r -> r.requestId() == 4);
            ClientUpdate.KeysErred erred = raw.await(ClientUpdate.KeysErred.class,
                    e -> e.keys().stream().anyMatch(k -> k.key().equals("e-1")));
            assertThat(erred.keys().getFirst().error().message()).contains("undeserializable");
        }

        byte[] nineMiB = new byte[9 << 20];
        assertThatThrownBy(() -> client.submit((byte[] b) -> b.length, nineMiB))
                .isInstanceOf(GraphRejectedException.class).hasMessageContaining("over the limit");

        assertThat(earlier.result()).isEqualTo(42);
        assertThat(client.submit(() -> 7).result()).isEqualTo(7);
        assertThat(cluster.workerStatus()).hasSize(2);
        assertThat(cluster.workerStatus()).allSatisfy((WorkerStatus w) -> assertThat(w.info().nthreads()).isEqualTo(2));
    }
}
