package io.partita.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.partita.client.Client;
import io.partita.client.TaskFuture;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Connections between workers and the scheduler broken under a running graph: the workers' first download of the
 * task's jar fails mid-body, and later every worker connection is reset twice while tasks run. The downloads are
 * retried, the workers register again, and the graph's answer is right, with no task failed.
 */
@Timeout(240)
class ConnectionCutTest {

    @Test
    void aGraphCompletesThroughBrokenDownloadsAndResetConnections() throws Exception {
        try (ClusterProcesses cluster = ClusterProcesses.scheduler("connection-cut", null);
             CuttingProxy proxy = new CuttingProxy(cluster.port)) {
            proxy.breakNextAnswers("GET /api/artifacts/", 2);
            cluster.addWorker(proxy.address(), 2);
            cluster.addWorker(proxy.address(), 2);
            cluster.awaitWorkers(2);
            try (Client client = Client.connect(cluster.address())) {
                List<TaskFuture<Long>> leaves = client.map((Integer x) -> {
                    Thread.sleep(20); // work that takes a while, so that connections are cut while tasks run
                    return (long) x * x;
                }, IntStream.range(0, 256).boxed().toList());
                TaskFuture<Long> total = Trees.pairwiseSum(client, leaves);

                cluster.waitUntil("40 leaves to finish", Duration.ofSeconds(90),
                        () -> leaves.stream().filter(TaskFuture::isDone).count() >= 40);
                proxy.cutAll();
                cluster.waitUntil("150 leaves to finish", Duration.ofSeconds(90),
                        () -> leaves.stream().filter(TaskFuture::isDone).count() >= 150);
                proxy.cutAll();

                long expected = IntStream.range(0, 256).mapToLong(x -> (long) x * x).sum();
                assertThat(total.result(Duration.ofSeconds(120))).isEqualTo(expected);
                assertThat(leaves).allSatisfy(f -> assertThat(f.state()).isEqualTo(java.util.concurrent.Future.State.SUCCESS));
            }
            assertThat(proxy.broken()).isEqualTo(2);
            assertThat(proxy.cut()).isPositive();
            String logs = Files.readString(cluster.logs().resolve("worker-1.log")) + Files.readString(cluster.logs().resolve("worker-2.log"));
            assertThat(logs).contains("fetching artifact").contains("retrying in");
            assertThat(logs).contains("registered again");
        }
    }
}
