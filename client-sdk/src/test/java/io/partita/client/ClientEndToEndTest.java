package io.partita.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.partita.common.protocol.ClientRequest;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ClientEndToEndTest {

    record Point(int x, int y) implements java.io.Serializable {}

    @Test
    void submitMapComputeAndGatherAgainstAFakeCluster() throws Exception {
        try (TestScheduler cluster = new TestScheduler(null);
             Client client = Client.connect(ClientOptions.of(cluster.address()).withToken(null))) {
            List<TaskFuture<Integer>> squares = client.map(x -> x * x, IntStream.range(0, 200).boxed().toList());
            TaskFuture<Integer> total = client.submit((List<Integer> xs) -> xs.stream().mapToInt(Integer::intValue).sum(), squares);
            assertThat(total.result(Duration.ofSeconds(10))).isEqualTo(IntStream.range(0, 200).map(i -> i * i).sum());

            int before = cluster.worker.workerGets.get();
            assertThat(client.gather(squares)).isEqualTo(IntStream.range(0, 200).map(i -> i * i).boxed().toList());
            assertThat(cluster.worker.workerGets.get() - before).isEqualTo(1);

            TaskFuture<Point> p = client.compute(Delayed.of((Integer a, Integer b) -> new Point(a, b), Delayed.of(() -> 3), 4));
            assertThat(p.get()).isEqualTo(new Point(3, 4));
            CompletableFuture<Integer> sum = p.toCompletableFuture().thenApply(pt -> pt.x() + pt.y());
            assertThat(sum.get(10, TimeUnit.SECONDS)).isEqualTo(7);
            assertThat(cluster.artifactPosts).hasValue(1);
            assertThat(client.workers()).singleElement().satisfies(w -> assertThat(w.info().name()).isEqualTo("worker-1"));

            TaskFuture<Integer> bad = client.submit((Integer x) -> {
                throw new IllegalArgumentException("no " + x);
            }, 1);
            TaskFuture<Integer> dependent = client.submit((Integer x) -> x, bad);
            assertThatThrownBy(dependent::result).isInstanceOf(TaskFailedException.class).cause()
                    .isInstanceOf(IllegalArgumentException.class).hasMessage("no 1");

            squares.forEach(TaskFuture::release);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (releasedKeys(cluster) < 200 && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            assertThat(releasedKeys(cluster)).isEqualTo(200);
        }
    }

    private static long releasedKeys(TestScheduler cluster) {
        return cluster.received.stream().filter(r -> r instanceof ClientRequest.ReleaseKeys)
                .mapToLong(r -> ((ClientRequest.ReleaseKeys) r).keys().size()).sum();
    }

    @Test
    void anUnreachableWorkerIsGatheredThroughTheProxy() throws Exception {
        try (TestScheduler cluster = new TestScheduler(null);
             Client client = Client.connect(ClientOptions.of(cluster.address()).withToken(null))) {
            cluster.workerUnreachable();
            List<TaskFuture<Integer>> fs = client.map(x -> x + 1, List.of(1, 2, 3));
            assertThat(client.gather(fs)).containsExactly(2, 3, 4);
            assertThat(cluster.worker.proxyGets).hasValue(1);
        }
    }

    @Test
    void aProxyThatCannotBeReachedOnceIsAskedAgainInsteadOfFailingTheGather() throws Exception {
        try (TestScheduler cluster = new TestScheduler(null);
             Client client = Client.connect(ClientOptions.of(cluster.address()).withToken(null))) {
            cluster.workerUnreachable();
            cluster.worker.proxyUnavailable.set(1); // as when the scheduler is killed and its standby takes over
            List<TaskFuture<Integer>> fs = client.map(x -> x + 1, List.of(1, 2, 3));
            assertThat(client.gather(fs)).containsExactly(2, 3, 4);
            assertThat(cluster.worker.proxyGets).hasValue(2);
        }
    }

    @Test
    void tokenLargeGraphsAndConnectionErrors() throws Exception {
        try (TestScheduler cluster = new TestScheduler("s3cret")) {
            assertThatThrownBy(() -> Client.connect(ClientOptions.of(cluster.address()).withToken(null)))
                    .isInstanceOf(PartitaException.class).hasMessageStartingWith("unauthenticated: ");
            try (Client client = Client.connect(ClientOptions.of(cluster.address()).withToken("s3cret")
                    .withGatherMode(GatherMode.PROXY))) {
                List<TaskFuture<String>> fs = client.map(s -> s.toUpperCase(),
                        IntStream.range(0, 5000).mapToObj(i -> "value-" + i).toList());
                List<String> out = client.gather(fs);
                assertThat(out).hasSize(5000).startsWith("VALUE-0");
                assertThat(cluster.worker.workerGets).hasValue(0);
            }
        }
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        assertThatThrownBy(() -> Client.connect(ClientOptions.of("127.0.0.1:" + port).withToken(null)))
                .isInstanceOf(PartitaException.class)
                .hasMessageStartingWith("cannot reach the scheduler at 127.0.0.1:" + port + ": is partita-scheduler running?");
    }
}
