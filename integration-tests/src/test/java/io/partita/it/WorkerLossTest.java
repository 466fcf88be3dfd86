package io.partita.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.partita.client.Client;
import io.partita.client.TaskFuture;
import io.partita.common.protocol.WorkerInfo;
import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A worker killed with SIGKILL in the middle of a computation: the computation still completes, correctly. */
@Timeout(240)
class WorkerLossTest {

    @Test
    void computationCompletesAfterAWorkerIsKilled() throws Exception {
        try (ClusterProcesses cluster = ClusterProcesses.start("worker-loss", 2, 1, null);
             Client client = Client.connect(cluster.address())) {
            // 64 leaves of 100 ms each on 2 single-threaded workers: about 3.2 s of work, then a tree over them.
            List<TaskFuture<Long>> leaves = client.map((Integer x) -> {
                Thread.sleep(100);
                return (long) x;
            }, IntStream.range(0, 64).boxed().toList());
            TaskFuture<Long> total = Trees.pairwiseSum(client, leaves);

            cluster.waitUntil("a quarter of the leaves to finish", Duration.ofSeconds(60),
                    () -> leaves.stream().filter(TaskFuture::isDone).count() >= 16);
            // SIGKILL the worker JVM itself (not its nanny), as the OOM killer or a crash would.
            WorkerInfo victim = cluster.workerStatus().getFirst().info();
            ProcessHandle.of(victim.pid()).orElseThrow().destroyForcibly();

            assertThat(total.result(Duration.ofSeconds(120))).isEqualTo(63L * 64 / 2);
            cluster.waitUntil("the killed worker to leave the cluster", Duration.ofSeconds(30),
                    () -> cluster.workerStatus().stream().noneMatch(w -> w.info().workerId().equals(victim.workerId())));
            assertThat(client.submit(() -> "still up").result()).isEqualTo("still up");
        }
    }
}
