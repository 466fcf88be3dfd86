package io.partita.launcher;

import io.partita.client.Client;
import io.partita.client.ClientOptions;
import io.partita.common.config.PartitaDefaults;
import io.partita.common.config.PartitaVersion;
import io.partita.common.config.TlsOptions;
import io.partita.common.config.TokenOption;
import io.partita.common.tls.Tls;
import io.partita.common.tls.TlsConfig;
import io.partita.common.process.JavaProcess;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code partita local}: a whole cluster on this machine, with no other set-up — a scheduler and worker processes
 * — like Dask's {@code LocalCluster}. Ctrl-C stops every process it started.
 */
@Command(footer = PartitaDefaults.FOOTER_LOCAL, name = "local", mixinStandardHelpOptions = true, versionProvider = PartitaVersion.class,
        defaultValueProvider = PartitaDefaults.Local.class,
        description = "Start a scheduler and workers on this machine, as separate processes; Ctrl-C stops them all.")
public final class LocalCommand implements Callable<Integer> {
    @Option(names = "--workers", defaultValue = "2", description = "Worker processes to start (default: ${DEFAULT-VALUE}).")
    int workers;

    @Option(names = "--threads-per-worker", description = "Task threads per worker (default: processors / workers, at least 1).")
    Integer threadsPerWorker;

    @Option(names = "--memory-limit", defaultValue = "auto",
            description = "Memory limit per worker: auto (machine memory / workers), a fraction of the machine's memory such "
                    + "as 0.25, a size such as 4GiB, or none. Default: ${DEFAULT-VALUE}.")
    String memoryLimit;

    @Option(names = "--host", defaultValue = "127.0.0.1", description = "Address to serve on (default: ${DEFAULT-VALUE}).")
    String host;

    @Option(names = "--port", defaultValue = "8786", description = "Scheduler client API port (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--dashboard-port", defaultValue = "8787", description = "Dashboard and /health port (default: ${DEFAULT-VALUE}).")
    int dashboardPort;

    @Option(names = "--flight-port", defaultValue = "8788", description = "Scheduler Flight proxy port (default: ${DEFAULT-VALUE}).")
    int flightPort;

    @Option(names = "--hazelcast-port", defaultValue = "5701", description = "Scheduler Hazelcast port (default: ${DEFAULT-VALUE}).")
    int hazelcastPort;

    @Mixin
    TokenOption token;

    @Mixin
    TlsOptions tls;

    @Option(names = "--example", description = "Run an example computation on the cluster and print its result.")
    boolean example;

    @Option(names = "--exit", description = "Exit after the example (or once the cluster is up) instead of waiting for Ctrl-C.")
    boolean exit;

    @Option(names = "--log-dir", defaultValue = ".partita/logs",
            description = "Where the processes' logs go (default: ${DEFAULT-VALUE}).")
    Path logDir;

    private final List<Process> processes = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        if (workers < 1) {
            System.err.println("--workers must be at least 1");
            return 2;
        }
        try {
            token.token();
        } catch (IllegalArgumentException e) {
            System.err.println("partita local: " + e.getMessage());
            return 2;
        }
        TlsConfig tlsConfig = tls.config(); // incomplete TLS flags: exit 2 before anything starts
        int threads = threadsPerWorker != null ? threadsPerWorker
                : Math.max(1, Runtime.getRuntime().availableProcessors() / workers);
        Files.createDirectories(logDir);
        Thread stopAll = new Thread(this::stopAll, "partita-local-stop");
        Runtime.getRuntime().addShutdownHook(stopAll);

        Map<String, String> env = token.childEnvironment("PARTITA_");
        List<String> schedulerArgs = new ArrayList<>(List.of("--host", host, "--port", String.valueOf(port),
                "--dashboard-port", String.valueOf(dashboardPort), "--flight-port", String.valueOf(flightPort),
                "--hazelcast-port", String.valueOf(hazelcastPort)));
        schedulerArgs.addAll(tls.args()); // one certificate for the scheduler and the workers: they share this host
        processes.add(JavaProcess.start("io.partita.scheduler.SchedulerCli", schedulerArgs, env, logDir.resolve("scheduler.log")));
        try (Tls probe = Tls.start(tlsConfig)) {
            waitFor("the scheduler", () -> healthy(probe, tlsConfig.httpUri(host, dashboardPort) + "/health"), Duration.ofSeconds(60));
        }

        String address = host + ":" + port;
        for (int i = 1; i <= workers; i++) {
            List<String> args = new ArrayList<>(List.of(address, "--name", "local-" + i, "--host", host, "--nthreads", String.valueOf(threads),
                    "--memory-limit", memoryLimit(), "--flight-port", "0", "--http-port", "0"));
            args.addAll(tls.args());
            processes.add(JavaProcess.start("io.partita.worker.WorkerCli", args, env, logDir.resolve("worker-" + i + ".log")));
        }
        // the cluster's own certificate as the client's too, for --tls-client-auth
        ClientOptions options = ClientOptions.of(address).withTls(tlsConfig.enabled()
                ? TlsConfig.client(tlsConfig.ca()).withClientCertificate(tlsConfig.cert(), tlsConfig.key()) : TlsConfig.none());
        try (Client client = Client.connect(options)) {
            waitFor(workers + " workers", () -> client.workers().size() >= workers, Duration.ofSeconds(60));
            System.out.printf("Partita local cluster: scheduler %s, dashboard %s, %d workers with %d thread(s) each (logs in %s)%n",
                    (tlsConfig.enabled() ? "tls://" : "") + address, tlsConfig.httpUri(host, dashboardPort), workers, threads,
                    logDir.toAbsolutePath());
            if (example) {
                ExampleComputation.run(client, System.out);
            }
        }
        if (exit) {
            return 0;
        }
        System.out.println("Cluster is up. Connect with Client.connect(\"" + (tlsConfig.enabled() ? "tls://" : "") + address
                + "\")" + (tlsConfig.enabled() && tlsConfig.ca() != null ? " (PARTITA_TLS_CA=" + tlsConfig.ca() + ")" : "")
                + ". Press Ctrl-C to stop.");
        new CountDownLatch(1).await();
        return 0;
    }

    private String memoryLimit() {
        if (!"auto".equalsIgnoreCase(memoryLimit)) {
            return memoryLimit;
        }
        // Each worker is a process of its own: give each its share, as a fraction the worker applies to what it reads as
        // the machine's or container's memory.
        return String.format(java.util.Locale.ROOT, "%.4f", 1.0 / workers);
    }

    private void stopAll() {
        for (Process p : processes.reversed()) {
            p.destroy();
        }
        for (Process p : processes.reversed()) {
            JavaProcess.stop(p, Duration.ofSeconds(10));
        }
    }

    private static boolean healthy(Tls tls, String url) {
        try (HttpClient http = io.partita.common.net.InternalHttp.client(java.time.Duration.ofSeconds(10), tls)) {
            HttpResponse<Void> r = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(2)).build(),
                    HttpResponse.BodyHandlers.discarding());
            return r.statusCode() == 200;
        } catch (Exception e) {
            return false;
        }
    }

    private void waitFor(String what, Check check, Duration limit) throws Exception {
        Instant deadline = Instant.now().plus(limit);
        while (Instant.now().isBefore(deadline)) {
            for (Process p : processes) {
                if (!p.isAlive()) {
                    throw new IllegalStateException("a process exited while waiting for " + what
                            + " (exit code " + p.exitValue() + "): see the logs in " + logDir.toAbsolutePath());
                }
            }
            if (check.ok()) {
                return;
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("timed out after " + limit.toSeconds() + " s waiting for " + what
                + ": see the logs in " + logDir.toAbsolutePath());
    }

    @FunctionalInterface
    private interface Check {
        boolean ok() throws Exception;
    }
}
