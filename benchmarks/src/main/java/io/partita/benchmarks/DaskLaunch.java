package io.partita.benchmarks;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A Dask distributed cluster on {@link BenchHosts}, laid out like {@link ClusterLaunch}: {@code dask-scheduler} on
 * host 1, {@code dask-worker} a, b, ... on hosts 2, 3, ... (1 thread each, no nanny, no memory limit, compression
 * off: lz4 costs more than it saves between these hosts, see docs/benchmarks.md), all Debian's 2022.12.
 */
final class DaskLaunch implements AutoCloseable {
    final String address;
    private final List<Process> processes = new ArrayList<>();

    DaskLaunch(BenchHosts hosts, int nworkers, Path logDir) throws IOException, InterruptedException {
        Files.createDirectories(logDir);
        int port = ClusterLaunch.freePort();
        String host = hosts.address(1);
        this.address = "tcp://" + host + ":" + port;
        processes.add(start(hosts, 1, List.of("/usr/bin/dask-scheduler", "--host", host, "--port", "" + port,
                "--dashboard-address", host + ":0"), logDir.resolve("dask-scheduler.log")));
        awaitPort(host, port);
        for (int i = 0; i < nworkers; i++) {
            String name = "" + (char) ('a' + i);
            processes.add(start(hosts, 2 + i, List.of("/usr/bin/dask-worker", address, "--name", name,
                    "--host", hosts.address(2 + i), "--nthreads", "1", "--no-nanny", "--memory-limit", "0",
                    "--dashboard-address", hosts.address(2 + i) + ":0"), logDir.resolve("dask-worker-" + name + ".log")));
        }
    }

    private static Process start(BenchHosts hosts, int host, List<String> command, Path log) throws IOException {
        ProcessBuilder b = new ProcessBuilder(hosts.onHost(host, command)).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.to(log.toFile()));
        b.environment().put("DASK_DISTRIBUTED__COMM__COMPRESSION", "None");
        return b.start();
    }

    private void awaitPort(String host, int port) throws InterruptedException, IOException {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
        while (Instant.now().isBefore(deadline)) {
            if (!processes.getFirst().isAlive()) {
                throw new IOException("dask-scheduler exited with " + processes.getFirst().exitValue() + "; see its log");
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(host, port), 500);
                return;
            } catch (IOException notYet) {
                Thread.sleep(100);
            }
        }
        throw new IOException("dask-scheduler did not listen on " + host + ":" + port + " within 60 s");
    }

    @Override
    public void close() throws InterruptedException {
        processes.reversed().forEach(Process::destroy);
        for (Process p : processes) {
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }
}
