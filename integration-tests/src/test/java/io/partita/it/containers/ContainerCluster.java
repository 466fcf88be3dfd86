package io.partita.it.containers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.HealthCheck;
import io.partita.common.codec.MessageCodec;
import io.partita.testnet.FreePorts;
import io.partita.common.protocol.WorkerStatus;
import io.partita.it.ClusterProcesses;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.output.OutputFrame;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.lifecycle.Startables;

/**
 * A cluster of Partita containers, all from one image and on the host's network (loopback addresses, free ports):
 * a scheduler and named workers, each with a memory limit and started with the image's own entry point. A container
 * counts as started when the image's health check says it is healthy. Logs go to target/container-logs/NAME.
 */
final class ContainerCluster implements AutoCloseable {
    /** Each container's memory limit: the workers' {@code --memory-limit auto} and the JVMs' heaps come from it. */
    static final long MEMORY_LIMIT = 1L << 30;
    private static final long SECOND_NANOS = 1_000_000_000L;

    final int port;
    final int dashboardPort;
    private final String image;
    private final Path logs;
    private final GenericContainer<?> scheduler;
    private final Map<String, GenericContainer<?>> workers = new LinkedHashMap<>();
    private final io.partita.it.HarnessHttp http = new io.partita.it.HarnessHttp();

    private ContainerCluster(String image, String name) throws IOException {
        this.image = image;
        this.logs = Path.of("target", "container-logs", name).toAbsolutePath();
        ClusterProcesses.deleteTree(logs); // a previous run's
        Files.createDirectories(logs);
        this.port = FreePorts.next();
        this.dashboardPort = FreePorts.next();
        this.scheduler = container("scheduler", "partita-scheduler", "--host", "127.0.0.1", "--port", "" + port,
                "--dashboard-port", "" + dashboardPort, "--flight-port", "" + FreePorts.next(),
                "--hazelcast-port", "" + FreePorts.next());
    }

    /**
     * Starts the scheduler container and {@code workers} worker containers (w1, w2, ...) of one thread each, all at
     * once (a worker keeps trying to reach the scheduler while it starts).
     */
    static ContainerCluster start(String image, String name, int workers) throws IOException {
        ContainerCluster cluster = new ContainerCluster(image, name);
        try {
            for (int i = 1; i <= workers; i++) {
                cluster.workers.put("w" + i, cluster.worker("w" + i, FreePorts.next()));
            }
            if (workers >= 3) {
                cluster.shareMemory("w3", "w1");
            }
            List<GenericContainer<?>> all = new ArrayList<>(cluster.workers.values());
            all.add(cluster.scheduler);
            Startables.deepStart(all).join();
            cluster.awaitWorkers(workers);
            return cluster;
        } catch (RuntimeException | IOException e) {
            cluster.close();
            throw e;
        }
    }

    /**
     * Lets worker {@code joiner} share worker {@code owner}'s memory as docs/deployment.md says: the owner's IPC
     * namespace (and so its /dev/shm) and one host id; the others keep their own host id.
     */
    private void shareMemory(String owner, String joiner) {
        GenericContainer<?> ipcOwner = workers.get(owner);
        ipcOwner.withCreateContainerCmdModifier(cmd -> cmd.getHostConfig().withIpcMode("shareable"));
        workers.get(joiner).dependsOn(ipcOwner)
                .withCreateContainerCmdModifier(cmd -> cmd.getHostConfig()
                        .withIpcMode("container:" + ipcOwner.getContainerId()).withShmSize(null)); // the owner's /dev/shm
        for (var w : workers.entrySet()) {
            w.getValue().withEnv("PARTITA_WORKER_HOST_ID", w.getKey().equals(joiner) ? owner : w.getKey());
        }
    }

    /**
     * Worker container {@code name}: the image's {@code partita-worker} with its defaults (a nanny running one
     * worker, {@code --memory-limit auto}) on loopback and free ports.
     */
    private GenericContainer<?> worker(String name, int httpPort) {
        return container(name, "partita-worker", "127.0.0.1:" + port, "--name", name, "--host", "127.0.0.1",
                "--nthreads", "1", "--flight-port", "0", "--http-port", "" + httpPort, "--connect-timeout", "120");
    }

    private GenericContainer<?> container(String name, String... command) {
        Path log = logs.resolve(name + ".log");
        @SuppressWarnings("resource") // closed in close()
        GenericContainer<?> c = new GenericContainer<>(image)
                .withNetworkMode("host")
                .withCommand(command)
                .withSharedMemorySize(256L << 20)
                .withCreateContainerCmdModifier(cmd -> {
                    cmd.getHostConfig().withMemory(MEMORY_LIMIT);
                    // the image's own check, asked every second instead of every 15 s
                    cmd.withHealthcheck(new HealthCheck().withTest(List.of("CMD", "partita-healthcheck"))
                            .withInterval(SECOND_NANOS).withTimeout(5 * SECOND_NANOS).withRetries(3)
                            .withStartPeriod(60 * SECOND_NANOS));
                })
                .withLogConsumer((OutputFrame frame) -> append(log, frame.getUtf8String()))
                .waitingFor(Wait.forHealthcheck().withStartupTimeout(Duration.ofSeconds(120)));
        return c;
    }

    private static void append(Path log, String text) {
        try {
            Files.writeString(log, text, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    String address() {
        return "127.0.0.1:" + port;
    }

    GenericContainer<?> scheduler() {
        return scheduler;
    }

    GenericContainer<?> worker(String name) {
        return workers.get(name);
    }

    /** {@code docker kill}: SIGKILL to the whole container, as a crashed machine or the OOM killer would. */
    void kill(String worker) {
        docker().killContainerCmd(workers.get(worker).getContainerId()).withSignal("SIGKILL").exec();
    }

    /** {@code docker stop -t 40}: SIGTERM to the container's init, SIGKILL after 40 s. Returns when it has stopped. */
    void stop(String worker) {
        docker().stopContainerCmd(workers.get(worker).getContainerId()).withTimeout(40).exec();
    }

    /** Whether the container is still running. */
    boolean running(String worker) {
        Boolean running = docker().inspectContainerCmd(workers.get(worker).getContainerId()).exec().getState().getRunning();
        return Boolean.TRUE.equals(running);
    }

    String logs(String container) throws IOException {
        return Files.readString(logs.resolve(container + ".log"));
    }

    private DockerClient docker() {
        return scheduler.getDockerClient();
    }

    /** The workers registered with the scheduler. */
    List<WorkerStatus> workerStatus() {
        return get(address(), "/api/workers").map(body -> Arrays.asList(MessageCodec.fromJson(body, WorkerStatus[].class)))
                .orElse(List.of());
    }

    /** The scheduler's {@code /health} summary: role, task counts, tasks finished... */
    JsonNode health() {
        String body = get("127.0.0.1:" + dashboardPort, "/health")
                .orElseThrow(() -> new AssertionError("the scheduler does not answer /health; see " + logs));
        try {
            return new ObjectMapper().readTree(body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private java.util.Optional<String> get(String address, String path) {
        return http.ok("http://" + address + path, null);
    }

    void awaitWorkers(int n) {
        waitUntil(n + " workers registered and publishing their load", Duration.ofSeconds(180), () -> {
            List<WorkerStatus> all = workerStatus();
            return all.size() == n && all.stream().allMatch(w -> w.load() != null);
        });
    }

    /** Polls {@code condition} every 100 ms until it holds, failing with what was awaited after {@code limit}. */
    void waitUntil(String what, Duration limit, BooleanSupplier condition) {
        Instant deadline = Instant.now().plus(limit);
        while (Instant.now().isBefore(deadline)) {
            if (!scheduler.isRunning()) {
                throw new AssertionError("the scheduler container stopped while waiting for " + what + "; see " + logs);
            }
            if (condition.getAsBoolean()) {
                return;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
        throw new AssertionError("timed out after " + limit.toSeconds() + " s waiting for " + what + "; see " + logs);
    }

    /** Removes every container (Testcontainers' Ryuk may be off, so nothing else would). */
    @Override
    public void close() {
        List<GenericContainer<?>> all = new ArrayList<>(workers.values());
        all.add(scheduler);
        RuntimeException failure = null;
        for (GenericContainer<?> c : all) {
            try {
                c.stop();
            } catch (RuntimeException e) {
                failure = failure == null ? e : failure;
            }
        }
        http.close();
        if (failure != null) {
            throw failure;
        }
    }
}
