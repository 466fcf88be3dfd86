package io.partita.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.partita.client.Client;
import io.partita.client.RemoteTaskException;
import io.partita.client.SubmitOptions;
import io.partita.client.TaskFailedException;
import io.partita.client.TaskFuture;
import io.partita.common.fn.Fn0;
import io.partita.common.protocol.WorkerStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/** Retries, resources and tasks that kill their worker, on real processes (w2 offers GPU=1). */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(240)
class SchedulingTest {
    private ClusterProcesses cluster;
    private Client client;

    @BeforeAll
    void start() throws Exception {
        // few graphs unanswered per client: the client must wait for answers rather than be refused
        cluster = ClusterProcesses.scheduler("scheduling", null, "--max-pending-graphs", "4");
        cluster.addWorker(2);
        cluster.addWorker(2, "--resources", "GPU=1");
        cluster.awaitWorkers(2);
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
    void aClientSubmittingGraphsFasterThanTheyAreStoredWaitsForAnswersInsteadOfBeingRefused() {
        List<TaskFuture<Integer>> sums = new java.util.ArrayList<>();
        TaskFuture<Integer> previous = client.submit((Integer x) -> x, 0);
        for (int i = 1; i <= 300; i++) { // one graph each, as a tree built step by step
            previous = client.submit((Integer a, Integer b) -> a + b, previous, i);
            sums.add(previous);
        }
        assertThat(previous.result()).isEqualTo(300 * 301 / 2);
        assertThat(sums).allMatch(f -> f.result() != null);
    }

    @Test
    void aTaskThatThrowsIsRetriedUpToItsRetries() throws Exception {
        Path attempts = Files.createTempFile("partita-attempts", ".txt");
        String file = attempts.toString();
        TaskFuture<Integer> flaky = client.submitWith(SubmitOptions.defaults().retries(2), (Fn0<Integer>) () -> {
            Files.writeString(Path.of(file), "x", StandardOpenOption.APPEND);
            int n = Files.readString(Path.of(file)).length();
            if (n < 3) {
                throw new IllegalStateException("attempt " + n + " fails");
            }
            return n;
        });
        assertThat(flaky.result(Duration.ofSeconds(60))).isEqualTo(3);

        TaskFuture<Integer> hopeless = client.submitWith(SubmitOptions.defaults().retries(1), (Fn0<Integer>) () -> {
            throw new IllegalStateException("always fails");
        });
        assertThatThrownBy(() -> hopeless.result(Duration.ofSeconds(60))).isInstanceOf(TaskFailedException.class)
                .cause().isInstanceOf(IllegalStateException.class).hasMessage("always fails");
        Files.deleteIfExists(attempts);
    }

    @Test
    void aTaskThatNeedsAResourceRunsOnlyWhereItIsOffered() {
        long gpuWorkerPid = cluster.workerStatus().stream().filter(w -> w.info().name().equals("w2"))
                .map(WorkerStatus::info).findFirst().orElseThrow().pid();
        List<TaskFuture<Long>> pids = client.map((Integer i) -> ProcessHandle.current().pid(), List.of(1, 2, 3, 4, 5, 6),
                SubmitOptions.defaults().resources(Map.of("GPU", 1.0)));
        assertThat(client.gather(pids)).containsOnly(gpuWorkerPid);
    }

    @Test
    void aTaskThatKillsEveryWorkerItRunsOnFailsWithKilledWorker() {
        String marker = UUID.randomUUID().toString();
        TaskFuture<Integer> killer = client.submit((String m) -> {
            Runtime.getRuntime().halt(1); // as a segfault in native code or the OOM killer would
            return 0;
        }, marker);
        assertThatThrownBy(() -> killer.result(Duration.ofSeconds(120))).isInstanceOf(TaskFailedException.class)
                .cause().isInstanceOf(RemoteTaskException.class).hasMessageContaining("KilledWorker");
        // The nannies restarted the workers it killed; the cluster still computes.
        cluster.awaitWorkers(2);
        assertThat(client.submit(() -> "alive").result(Duration.ofSeconds(60))).isEqualTo("alive");
    }
}
