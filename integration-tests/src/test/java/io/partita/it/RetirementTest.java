package io.partita.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.partita.client.Client;
import io.partita.client.RequestRefusedException;
import io.partita.client.TaskFuture;
import io.partita.common.protocol.WorkerInfo;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Graceful retirement (issue 4): a worker retired by the client, and one stopped with SIGTERM, hand the keys only
 * they hold to the other worker before they stop; nothing is computed again (counted by the scheduler's finished
 * tasks), and a nanny does not restart them.
 */
class RetirementTest {
    /** On {@code worker}: {@link HeldData}, computed, all held by the client. */
    private static List<TaskFuture<?>> dataOn(Client client, String worker) {
        List<TaskFuture<?>> data = HeldData.submitOn(client, worker);
        data.forEach(TaskFuture::result);
        return data;
    }

    @Test
    void aWorkerRetiredByTheClientHandsItsKeysOver() throws Exception {
        try (ClusterProcesses cluster = ClusterProcesses.start("retire-client", 2, 1, null);
             Client client = Client.connect(cluster.address())) {
            WorkerInfo a = cluster.workerStatus().getFirst().info();
            List<TaskFuture<?>> data = dataOn(client, a.name());
            long finished = cluster.health().path("tasksFinished").asLong();

            assertThatThrownBy(() -> client.retireWorkers(List.of("no-such-worker")))
                    .isInstanceOf(RequestRefusedException.class).hasMessageContaining("no-such-worker");
            assertThat(client.retireWorkers(List.of(a.name()))).containsExactly(a.workerId());

            cluster.waitUntil("the retired worker's process to exit", Duration.ofSeconds(30),
                    () -> ProcessHandle.of(a.pid()).isEmpty());
            assertThat(cluster.workerStatus()).extracting(w -> w.info().workerId()).doesNotContain(a.workerId()).hasSize(1);
            assertThat(HeldData.total(client, data)).isEqualTo(HeldData.expected());
            // only the 4 table sums and the total ran: nothing held by the retired worker was computed again
            assertThat(cluster.health().path("tasksFinished").asLong() - finished).isEqualTo(5);
            assertThat(cluster.workerStatus()).hasSize(1); // its nanny did not restart it
        }
    }

    @Test
    void aWorkerStoppedWithSigtermHandsItsKeysOver() throws Exception {
        try (ClusterProcesses cluster = ClusterProcesses.start("retire-sigterm", 2, 1, null);
             Client client = Client.connect(cluster.address())) {
            WorkerInfo a = cluster.workerStatus().getFirst().info();
            List<TaskFuture<?>> data = dataOn(client, a.name());
            long finished = cluster.health().path("tasksFinished").asLong();

            ProcessHandle.of(a.pid()).orElseThrow().destroy(); // SIGTERM to the worker JVM, as `docker stop` would
            cluster.waitUntil("the stopped worker to leave", Duration.ofSeconds(60),
                    () -> ProcessHandle.of(a.pid()).isEmpty()
                            && cluster.workerStatus().stream().noneMatch(w -> w.info().workerId().equals(a.workerId())));
            assertThat(HeldData.total(client, data)).isEqualTo(HeldData.expected());
            assertThat(cluster.health().path("tasksFinished").asLong() - finished).isEqualTo(5);
            assertThat(Files.readString(cluster.logs().resolve("worker-" + a.name().substring(1) + ".log")))
                    .contains("handing this worker's keys over").contains("retired:");
        }
    }
}
