package io.partita.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.partita.client.Client;
import io.partita.client.TaskFuture;
import io.partita.common.data.Partition;
import io.partita.common.protocol.WorkerLoad.TransferCounters;
import io.partita.common.protocol.WorkerStatus;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Two workers with 512 MiB each hold 4 GiB of partitions and compute an exact aggregate over them: data is spilled
 * and read back, and no worker is killed.
 */
@Timeout(600)
class LargerThanMemoryTest {
    private static final int PARTITIONS = 64;
    private static final int ROWS = 8 << 20; // 8 Mi longs = 64 MiB per partition, 4 GiB in all

    @Test
    void fourGiBOnTwoWorkersOf512MiB() throws Exception {
        Path spill = Path.of("target", "spill-" + UUID.randomUUID()).toAbsolutePath();
        try (ClusterProcesses cluster = ClusterProcesses.scheduler("larger-than-memory", null)) {
            for (int i = 0; i < 2; i++) {
                cluster.addWorker(1, "--memory-limit", "512MiB", "--spill-dir", spill.toString());
            }
            cluster.awaitWorkers(2);
            List<Long> pids = cluster.workerStatus().stream().map(w -> w.info().pid()).sorted().toList();
            try (Client client = Client.connect(cluster.address())) {
                List<TaskFuture<Partition>> parts = client.map((Integer i) -> Tables.longs((long) i * ROWS, ROWS),
                        IntStream.range(0, PARTITIONS).boxed().toList());
                cluster.waitUntil("all partitions stored", Duration.ofMinutes(5),
                        () -> parts.stream().allMatch(TaskFuture::isDone));

                List<TaskFuture<Long>> sums = new ArrayList<>();
                for (TaskFuture<Partition> part : parts) {
                    sums.add(client.submit((Partition p) -> Tables.sum(p), part));
                }
                TaskFuture<Long> total = client.submit((List<Long> xs) -> xs.stream().mapToLong(Long::longValue).sum(), sums);

                long n = (long) PARTITIONS * ROWS;
                assertThat(total.result(Duration.ofMinutes(5))).isEqualTo(n * (n - 1) / 2);
                assertThat(parts).allMatch(f -> !f.isCancelled());

                List<WorkerStatus> workers = cluster.workerStatus();
                assertThat(workers.stream().map(w -> w.info().pid()).sorted().toList()).isEqualTo(pids);
                TransferCounters spilled = workers.stream().map(w -> w.load().transfers())
                        .reduce((a, b) -> new TransferCounters(0, 0, 0, 0, 0, a.spilledBytes() + b.spilledBytes(),
                                a.unspilledBytes() + b.unspilledBytes(), a.spillCount() + b.spillCount(),
                                a.unspillCount() + b.unspillCount(), 0, 0, 0, 0)).orElseThrow();
                assertThat(spilled.spillCount()).isPositive();
                assertThat(spilled.unspillCount()).isPositive();
                assertThat(workers).allSatisfy(w -> assertThat(w.load().memory().limit()).isEqualTo(512L << 20));
            }
        } finally {
            ClusterProcesses.deleteTree(spill);
        }
    }
}
