package io.partita.benchmarks;

import io.partita.client.Client;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A Partita cluster for benchmarks, started as {@code bin/partita local} (scheduler and workers as processes). */
final class LocalClusterProcess implements AutoCloseable {
    final String address;
    private final Process process;

    LocalClusterProcess(Path partitaHome, int workers, int threadsPerWorker, Path logDir) throws IOException {
        Files.createDirectories(logDir);
        int port = freePort();
        this.address = "127.0.0.1:" + port;
        this.process = new ProcessBuilder(List.of(partitaHome.resolve("bin/partita").toString(), "local",
                "--workers", "" + workers, "--threads-per-worker", "" + threadsPerWorker, "--port", "" + port,
                "--dashboard-port", "" + freePort(), "--flight-port", "" + freePort(), "--hazelcast-port", "" + freePort(),
                "--log-dir", logDir.toString()))
                .redirectErrorStream(true).redirectOutput(logDir.resolve("partita-local.log").toFile()).start();
    }

    Client connect(int workers) throws InterruptedException {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(120));
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IllegalStateException("partita local exited with " + process.exitValue() + "; see its log");
            }
            try {
                Client client = Client.connect(address);
                if (client.workers().size() >= workers) {
                    return client;
                }
                client.close();
            } catch (RuntimeException notYet) {
                // the scheduler is still starting
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("the Partita cluster did not come up within 120 s");
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
