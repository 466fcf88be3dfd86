package io.partita.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.partita.testnet.FreePorts;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * Start-up errors an operator makes in the first hour, each refused by real processes with a message that says
 * what to change and exit code 2 (a configuration error, which a nanny does not restart), the cluster untouched.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(180)
class StartupErrorsTest {
    private ClusterProcesses cluster;

    @BeforeAll
    void start() throws Exception {
        cluster = ClusterProcesses.scheduler("startup-errors", null);
        cluster.addWorker(1);
        cluster.awaitWorkers(1);
    }

    @AfterAll
    void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private String exitsWithAConfigurationError(Process p, String what) throws Exception {
        cluster.waitUntil(what + " to exit", Duration.ofSeconds(90), () -> !p.isAlive());
        assertThat(p.exitValue()).as(what + " exits with a configuration error").isEqualTo(2);
        return Files.readString(cluster.logs().resolve("worker-" + cluster.workers().size() + ".log"));
    }

    @Test
    void aSecondWorkerWithTheNameOfARegisteredOneIsRefusedAndExits() throws Exception {
        Process twin = cluster.addWorker(1, "--name", "w1", "--connect-timeout", "30");
        String log = exitsWithAConfigurationError(twin, "the worker named like w1");
        assertThat(log).contains("refused this worker: a worker named w1 is already registered")
                .contains("give each worker a name of its own (--name)");
        assertThat(log).contains("not restarting it").doesNotContain("; restarting ("); // its nanny did not start it again
        assertThat(cluster.workerStatus()).hasSize(1);
    }

    @Test
    void aSchedulerWhosePortIsTakenSaysWhichFlagNamesItAndExits() throws Exception {
        int taken = cluster.schedulers().getFirst().port();
        Process second = cluster.launchScheduler("scheduler-port-taken.log", "--host", "127.0.0.1", "--port", "" + taken,
                "--dashboard-port", "" + FreePorts.next(), "--flight-port", "" + FreePorts.next(),
                "--hazelcast-port", "" + FreePorts.next(), "--cluster-name", "another");
        cluster.waitUntil("the scheduler on a taken port to exit", Duration.ofSeconds(90), () -> !second.isAlive());
        assertThat(second.exitValue()).as("a configuration error").isEqualTo(2);
        assertThat(Files.readString(cluster.logs().resolve("scheduler-port-taken.log")))
                .contains("partita-scheduler: cannot start: cannot listen on 127.0.0.1:" + taken + " (--port)")
                .contains("give --port another port");
        assertThat(cluster.health().path("status").asText()).as("the first scheduler is untouched").isEqualTo("ok");
    }

    @Test
    void aWorkerWhosePortIsTakenSaysWhichFlagNamesItAndExits() throws Exception {
        int taken = cluster.schedulers().getFirst().dashboardPort();
        Process worker = cluster.addWorker(1, "--http-port", "" + taken);
        assertThat(exitsWithAConfigurationError(worker, "the worker on a taken port"))
                .contains("cannot listen on 127.0.0.1:" + taken + " (--http-port)").contains("give --http-port another port")
                .doesNotContain("; restarting (");
    }

    @Test
    void aMemoryLimitTooSmallForAWorkerIsRefusedNamingBothNumbers() throws Exception {
        Process small = cluster.addWorker(1, "--memory-limit", "4000");
        assertThat(exitsWithAConfigurationError(small, "the worker with 4000 bytes"))
                .contains("--memory-limit 4000 is 3.91 KiB, below the 256.00 MiB a worker needs")
                .contains("a bare number is bytes");
    }

    @Test
    void anUnknownKeyInTheConfigurationFileIsRefusedNamingTheNearestKnownOne() throws Exception {
        Path yaml = Files.writeString(cluster.logs().resolve("typo.yaml"), "worker:\n  nthread: 4\n");
        Process typo = cluster.addWorker(1, java.util.Map.of("PARTITA_CONFIG", yaml.toString()));
        assertThat(exitsWithAConfigurationError(typo, "the worker with a typo in its configuration file"))
                .contains("'worker.nthread' is not an option of partita worker: did you mean 'nthreads'?");
    }
}
