package io.partita.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.partita.client.Client;
import io.partita.common.protocol.WorkerStatus;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A Partita cluster for the data-plane benchmarks: the scheduler and each worker started as their own process
 * through {@code bin/partita-scheduler} and {@code bin/partita-worker} on free loopback ports, so that each worker
 * can get its own {@code --host-id} (different ids: the workers do not share segments and use Flight), memory limit,
 * shared-memory and spill folders. Workers are named {@code a}, {@code b}, ... Logs go to {@code logDir}.
 */
final class ClusterLaunch implements AutoCloseable {
    /** How to start the workers. */
    /**
     * @param shmRoot   the workers' {@code --shm-dir} is a new folder in it
     * @param extraArgs more {@code partita-worker} arguments
     */
    record WorkerSpec(String memoryLimit, boolean distinctHostIds, String javaOpts, int nthreads, Path shmRoot,
                      List<String> extraArgs, java.util.Map<String, String> moreJavaOpts,
                      java.util.Map<String, List<String>> moreArgs) {
        WorkerSpec(String memoryLimit, boolean distinctHostIds, String javaOpts, int nthreads, Path shmRoot,
                   List<String> extraArgs, java.util.Map<String, String> moreJavaOpts) {
            this(memoryLimit, distinctHostIds, javaOpts, nthreads, shmRoot, extraArgs, moreJavaOpts, java.util.Map.of());
        }

        WorkerSpec(String memoryLimit, boolean distinctHostIds, String javaOpts, int nthreads) {
            this(memoryLimit, distinctHostIds, javaOpts, nthreads, Path.of("/dev/shm"), List.of());
        }

        WorkerSpec(String memoryLimit, boolean distinctHostIds, String javaOpts, int nthreads, Path shmRoot, List<String> extraArgs) {
            this(memoryLimit, distinctHostIds, javaOpts, nthreads, shmRoot, extraArgs, java.util.Map.of());
        }

        /** The JVM options of worker {@code name}: {@link #javaOpts} and its own from {@link #moreJavaOpts}. */
        String javaOptsOf(String name) {
            String more = moreJavaOpts.getOrDefault(name, "");
            return ((javaOpts == null ? "" : javaOpts) + " " + more).strip();
        }
    }

    /** One scheduler process: the first is the active one, any others its standbys. */
    record SchedulerProcess(Process process, String address, int dashboardPort) {}

    /** Every scheduler's address, comma-separated (what the workers and clients are given). */
    final String address;
    final int dashboardPort;
    final Path shmDir;
    final Path spillRoot;
    private final Process scheduler;
    private final List<SchedulerProcess> schedulers = new ArrayList<>();
    private final List<Process> workers = new ArrayList<>();
    /** How this harness calls the cluster: in clear text unless {@link #clientTls} says otherwise. */
    private io.partita.common.tls.TlsConfig clientTls = io.partita.common.tls.TlsConfig.none();

    /** @param schedulerArgs extra arguments of {@code partita-scheduler} (e.g. {@code --no-work-stealing}) */
    ClusterLaunch(Path partitaHome, int nworkers, WorkerSpec spec, List<String> schedulerArgs, Path logDir) throws IOException {
        this(partitaHome, nworkers, spec, schedulerArgs, logDir, BenchHosts.loopback());
    }

    /**
     * On {@code hosts}: the scheduler on host 1, worker i on host 2 + i, each listening on its host's address (and
     * with a host id of its own when the hosts are separate).
     */
    ClusterLaunch(Path partitaHome, int nworkers, WorkerSpec spec, List<String> schedulerArgs, Path logDir, BenchHosts hosts)
            throws IOException {
        this(partitaHome, nworkers, spec, schedulerArgs, logDir, hosts, 0);
    }

    /**
     * With {@code standbys} more schedulers on host 1 that join the first one's Hazelcast cluster and stand by; the
     * workers are given every scheduler's address.
     */
    ClusterLaunch(Path partitaHome, int nworkers, WorkerSpec spec, List<String> schedulerArgs, Path logDir, BenchHosts hosts,
                  int standbys) throws IOException {
        Files.createDirectories(logDir);
        this.shmDir = spec.shmRoot().resolve("partita-bench-" + ProcessHandle.current().pid());
        this.spillRoot = logDir.resolve("spill").toAbsolutePath();
        Path bin = partitaHome.resolve("bin").toAbsolutePath();
        int hazelcastPort = freePort();
        for (int s = 0; s <= standbys; s++) {
            int port = freePort();
            int dashboard = freePort();
            List<String> schedulerCommand = new ArrayList<>(List.of("--host", hosts.address(1), "--port", "" + port,
                    "--dashboard-port", "" + dashboard, "--flight-port", "" + freePort(),
                    "--hazelcast-port", "" + (s == 0 ? hazelcastPort : freePort())));
            if (s > 0) {
                schedulerCommand.addAll(List.of("--join", hosts.address(1) + ":" + hazelcastPort));
            }
            schedulerCommand.addAll(schedulerArgs);
            Process p = launch(hosts, 1, bin.resolve("partita-scheduler"), schedulerCommand,
                    logDir.resolve(s == 0 ? "scheduler.log" : "scheduler-" + (s + 1) + ".log"), "");
            schedulers.add(new SchedulerProcess(p, hosts.address(1) + ":" + port, dashboard));
        }
        this.scheduler = schedulers.getFirst().process();
        this.dashboardPort = schedulers.getFirst().dashboardPort();
        this.address = String.join(",", schedulers.stream().map(SchedulerProcess::address).toList());
        for (int i = 0; i < nworkers; i++) {
            String name = "" + (char) ('a' + i);
            List<String> args = new ArrayList<>(List.of(address, "--name", name, "--host", hosts.address(2 + i), "--nthreads", "" + spec.nthreads(),
                    "--flight-port", "0", "--http-port", "0", "--memory-limit", spec.memoryLimit(),
                    "--shm-dir", shmDir.toString(), "--spill-dir", spillRoot.resolve(name).toString()));
            if (spec.distinctHostIds() || hosts.separate()) {
                args.addAll(List.of("--host-id", "bench-host-" + name));
            }
            args.addAll(spec.extraArgs());
            args.addAll(spec.moreArgs().getOrDefault(name, List.of()));
            workers.add(launch(hosts, 2 + i, bin.resolve("partita-worker"), args, logDir.resolve("worker-" + name + ".log"), spec.javaOptsOf(name)));
        }
    }

    private static Process launch(BenchHosts hosts, int host, Path launcher, List<String> args, Path log, String javaOpts)
            throws IOException {
        List<String> command = new ArrayList<>();
        command.add(launcher.toString());
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(hosts.onHost(host, command)).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.to(log.toFile()));
        builder.environment().remove("PARTITA_AUTH_TOKEN");
        builder.environment().put("PARTITA_JAVA_OPTS", javaOpts == null ? "" : javaOpts);
        return builder.start();
    }

    /** Calls the cluster (clients, {@code /health}) with TLS: for a cluster started with the TLS flags. */
    ClusterLaunch clientTls(io.partita.common.tls.TlsConfig tls) {
        this.clientTls = tls;
        return this;
    }

    /** Connects once every worker has registered (within 120 s). */
    Client connect() throws InterruptedException {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(120));
        while (Instant.now().isBefore(deadline)) {
            if (!scheduler.isAlive()) {
                throw new IllegalStateException("the scheduler exited with " + scheduler.exitValue() + "; see its log");
            }
            for (Process w : workers) {
                if (!w.isAlive()) {
                    throw new IllegalStateException("a worker exited with " + w.exitValue() + "; see its log");
                }
            }
            try {
                Client client = Client.connect(io.partita.client.ClientOptions.of(address).withTls(clientTls));
                if (client.workers().size() >= workers.size()) {
                    return client;
                }
                client.close();
            } catch (RuntimeException notYet) {
                // still starting
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("the Partita cluster did not come up within 120 s");
    }

    /** The workers, by name. */
    static List<WorkerStatus> byName(Client client) {
        return client.workers().stream().sorted(Comparator.comparing(w -> w.info().name())).toList();
    }

    /** The first scheduler's {@code /health} summary (task counts by state, finished, stolen...). */
    JsonNode health() throws IOException, InterruptedException {
        return health(schedulers.getFirst());
    }

    /** {@code s}'s {@code /health} summary (its role, task counts by state, tasks recovered...). */
    JsonNode health(SchedulerProcess s) throws IOException, InterruptedException {
        try (io.partita.common.tls.Tls tls = io.partita.common.tls.Tls.start(clientTls);
             java.net.http.HttpClient http = io.partita.common.net.InternalHttp.client(java.time.Duration.ofSeconds(10), tls)) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(clientTls.httpUri(
                    s.address().substring(0, s.address().lastIndexOf(':')), s.dashboardPort()) + "/health")).build(),
                    HttpResponse.BodyHandlers.ofString());
            return new ObjectMapper().readTree(r.body());
        }
    }

    /** The schedulers, the first (active at the start) first. */
    List<SchedulerProcess> schedulers() {
        return List.copyOf(schedulers);
    }

    /** The scheduler JVM's pid (bin/partita-scheduler execs the JVM). */
    long schedulerPid() {
        return scheduler.pid();
    }

    /** The scheduler and worker JVMs' pids (the launchers exec their JVMs). */
    List<Long> pids() {
        List<Long> out = new ArrayList<>(schedulers.stream().map(s -> s.process().pid()).toList());
        workers.forEach(w -> out.add(w.pid()));
        return out;
    }

    boolean allAlive() {
        return scheduler.isAlive() && workers.stream().allMatch(Process::isAlive);
    }

    @Override
    public void close() throws InterruptedException {
        List<Process> all = new ArrayList<>(workers);
        schedulers.forEach(s -> all.add(s.process()));
        all.forEach(Process::destroy);
        for (Process p : all) {
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
        deleteTree(shmDir);
        deleteTree(spillRoot);
    }

    static int freePort() throws IOException {
        return io.partita.testnet.FreePorts.next();
    }

    /** Bytes of the regular files under {@code dir} (0 when it does not exist). */
    static long treeBytes(Path dir) {
        if (dir == null || !Files.isDirectory(dir)) {
            return 0;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            return files.mapToLong(p -> {
                try {
                    return Files.isRegularFile(p) ? Files.size(p) : 0;
                } catch (IOException gone) {
                    return 0;
                }
            }).sum();
        } catch (IOException | java.io.UncheckedIOException gone) {
            return 0;
        }
    }

    static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | java.io.UncheckedIOException ignored) {
            // best effort
        }
    }
}
