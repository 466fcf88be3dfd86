package io.partita.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.partita.client.Client;
import io.partita.common.protocol.WorkerStatus;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code partita-worker} runs its worker in a child JVM of a nanny: a child killed with SIGKILL comes back under the
 * same name, and a nanny killed with SIGKILL leaves no worker behind.
 */
@Timeout(240)
class NannyTest {

    @Test
    void theNannyRestartsAKilledWorkerAndTakesItDownWhenKilled() throws Exception {
        try (ClusterProcesses cluster = ClusterProcesses.start("nanny", 1, 1, null);
             Client client = Client.connect(cluster.address())) {
            Process nanny = cluster.workers().getFirst();
            WorkerStatus first = cluster.workerStatus().getFirst();
            long childPid = first.info().pid();
            assertThat(first.info().name()).isEqualTo("w1");
            assertThat(childPid).as("the worker runs in a child JVM of the launched process").isNotEqualTo(nanny.pid());
            assertThat(ProcessHandle.of(childPid).flatMap(ProcessHandle::parent).map(ProcessHandle::pid)).contains(nanny.pid());
            assertThat(client.submit(() -> "before").result(Duration.ofSeconds(30))).isEqualTo("before");

            // SIGKILL the child, as the OOM killer would: the nanny starts a new one, under the same name
            ProcessHandle.of(childPid).orElseThrow().destroyForcibly();
            cluster.waitUntil("a new worker w1 to replace the killed one", Duration.ofSeconds(90), () -> {
                List<WorkerStatus> all = cluster.workerStatus();
                return all.size() == 1 && all.getFirst().info().name().equals("w1") && all.getFirst().info().pid() != childPid
                        && all.getFirst().load() != null;
            });
            assertThat(nanny.isAlive()).isTrue();
            long newPid = cluster.workerStatus().getFirst().info().pid();
            assertThat(ProcessHandle.of(childPid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
            assertThat(ProcessHandle.of(newPid).flatMap(ProcessHandle::parent).map(ProcessHandle::pid)).contains(nanny.pid());
            assertThat(client.submit((Integer x) -> x * 2, 21).result(Duration.ofSeconds(60))).isEqualTo(42);
            assertThat(Files.readString(cluster.logs().resolve("worker-1.log"), StandardCharsets.UTF_8))
                    .contains("worker w1 exited (code 137: killed by SIGKILL); restarting (1 of 5)");

            // SIGKILL the nanny: its child notices and stops, so no worker outlives it
            cluster.kill(nanny);
            cluster.waitUntil("the worker (pid " + newPid + ") to stop after its nanny was killed", Duration.ofSeconds(30),
                    () -> ProcessHandle.of(newPid).map(ProcessHandle::isAlive).orElse(false) == false);
            cluster.waitUntil("the worker to leave the cluster", Duration.ofSeconds(30), () -> cluster.workerStatus().isEmpty());
        }
    }
}
