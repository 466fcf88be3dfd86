package io.partita.it;

import io.partita.common.codec.MessageCodec;
import io.partita.testnet.FreePorts;
import io.partita.common.protocol.WorkerStatus;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * A real cluster for tests: the scheduler (and any standby schedulers) and workers started as separate JVMs through
 * the bin/ launchers, on free loopback ports, with their logs under target/cluster-logs/NAME.
 */
public final class ClusterProcesses implements AutoCloseable {
    private static final Path BIN = Path.of("..", "bin").toAbsolutePath().normalize();

    /** Ports of the first scheduler. */
    public final int port;
    public final int dashboardPort;
    public final int flightPort;
    public final int hazelcastPort;
    private final String token;
    /** The cluster's certificates when it runs with TLS; null in clear text. */
    private final TlsFixture tls;
    /** {@code https} with TLS, {@code http} without. */
    private final String scheme;
    private final Path logs;
    /** The workers' shared-memory folder, this cluster's own so that {@link #close()} can check it is left empty. */
    private final Path shmDir;
    /** Every scheduler started, the first one first. */
    private final List<Scheduler> schedulers = new ArrayList<>();
    private final List<Process> workers = new ArrayList<>();
    private final HarnessHttp http;

    private ClusterProcesses(String name, String token, TlsFixture tls, List<String> schedulerArgs) throws IOException {
        this.token = token;
        this.tls = tls;
        this.scheme = tls == null ? "http" : "https";
        this.http = tls == null ? new HarnessHttp() : new HarnessHttp(tls.harness());
        this.logs = Path.of("target", "cluster-logs", name).toAbsolutePath();
        this.shmDir = Path.of("/dev/shm").toFile().isDirectory()
                ? Path.of("/dev/shm", "partita-it-" + name + "-" + java.util.UUID.randomUUID())
                : Files.createTempDirectory("partita-it-shm-");
        Files.createDirectories(logs);
        this.port = FreePorts.next();
        this.dashboardPort = FreePorts.next();
        this.flightPort = FreePorts.next();
        this.hazelcastPort = FreePorts.next();
        startScheduler(port, dashboardPort, flightPort, hazelcastPort, schedulerArgs);
    }

    /** One scheduler process and its ports. */
    public record Scheduler(int port, int dashboardPort, int flightPort, int hazelcastPort, Process process) {
        public String address() {
            return "127.0.0.1:" + port;
        }
    }

    private Scheduler startScheduler(int port, int dashboardPort, int flightPort, int hazelcastPort, List<String> extraArgs)
            throws IOException {
        List<String> args = new ArrayList<>(List.of("--host", "127.0.0.1", "--port", "" + port, "--dashboard-port",
                "" + dashboardPort, "--flight-port", "" + flightPort, "--hazelcast-port", "" + hazelcastPort));
        if (tls != null) {
            args.addAll(tls.serverArgs(tls.scheduler));
        }
        args.addAll(extraArgs);
        String log = schedulers.isEmpty() ? "scheduler.log" : "scheduler-" + (schedulers.size() + 1) + ".log";
        Scheduler s = new Scheduler(port, dashboardPort, flightPort, hazelcastPort,
                launch("partita-scheduler", args, logs.resolve(log)));
        schedulers.add(s);
        waitUntil("scheduler /health on " + dashboardPort, Duration.ofSeconds(60),
                () -> status(scheme + "://127.0.0.1:" + dashboardPort + "/health") == 200);
        return s;
    }

    /**
     * Starts one more scheduler that joins the first one's Hazelcast cluster ({@code --join}) and stands by; workers
     * started after it are given both addresses.
     */
    public Scheduler addStandby(String... schedulerArgs) throws IOException {
        List<String> args = new ArrayList<>(List.of("--join", "127.0.0.1:" + hazelcastPort));
        args.addAll(Arrays.asList(schedulerArgs));
        return startScheduler(FreePorts.next(), FreePorts.next(), FreePorts.next(), FreePorts.next(), args);
    }

    /** Launches a scheduler of another cluster with exactly {@code args}, not waiting for it (a start expected to fail). */
    public Process launchScheduler(String logName, String... args) throws IOException {
        return launch("partita-scheduler", Arrays.asList(args), logs.resolve(logName));
    }

    public List<Scheduler> schedulers() {
        return List.copyOf(schedulers);
    }

    /** The scheduler whose {@code /health} says it is active, if one does now. */
    public java.util.Optional<Scheduler> active() {
        return schedulers.stream().filter(s -> s.process().isAlive())
                .filter(s -> health(s).map(h -> "active".equals(h.path("role").asText())).orElse(false))
                .findFirst();
    }

    /** Starts a scheduler (with extra arguments) and no workers: add them with {@link #addWorker(int, String...)}. */
    public static ClusterProcesses scheduler(String name, String token, String... schedulerArgs) throws IOException {
        return new ClusterProcesses(name, token, null, Arrays.asList(schedulerArgs));
    }

    /**
     * Starts a scheduler with TLS ({@code tls}'s certificates); workers added get certificates of their own, unless
     * their arguments name TLS flags themselves.
     */
    public static ClusterProcesses scheduler(String name, String token, TlsFixture tls, String... schedulerArgs) throws IOException {
        return new ClusterProcesses(name, token, tls, Arrays.asList(schedulerArgs));
    }

    /** The cluster's TLS certificates; null when it runs in clear text. */
    public TlsFixture tls() {
        return tls;
    }

    /** {@code https} or {@code http}: the scheme of the scheduler's and the workers' HTTP ports. */
    public String scheme() {
        return scheme;
    }

    /** Starts a scheduler (with extra arguments) and {@code workers} workers of {@code threads} threads each. */
    public static ClusterProcesses start(String name, int workers, int threads, String token, String... schedulerArgs)
            throws IOException {
        ClusterProcesses cluster = scheduler(name, token, schedulerArgs);
        try {
            for (int i = 0; i < workers; i++) {
                cluster.addWorker(threads);
            }
            cluster.awaitWorkers(workers);
            return cluster;
        } catch (RuntimeException | IOException e) {
            cluster.close();
            throw e;
        }
    }

    /** Every scheduler's client address, comma-separated, as clients and workers are given them. */
    public String address() {
        return String.join(",", schedulers.stream().map(Scheduler::address).toList());
    }

    /** Starts worker {@code w<n>} with {@code extraArgs} after the harness's own (loopback, free ports, 2 GiB). */
    public Process addWorker(int threads, String... extraArgs) throws IOException {
        return addWorker(address(), threads, extraArgs);
    }

    /** Starts a worker that is given {@code schedulerAddress} (a proxy in front of the scheduler, say). */
    public Process addWorker(String schedulerAddress, int threads, String... extraArgs) throws IOException {
        return addWorker(schedulerAddress, threads, tls != null, extraArgs);
    }

    /** Starts a worker with no TLS flags at all, even in a TLS cluster. */
    public Process addWorkerWithoutTls(int threads, String... extraArgs) throws IOException {
        return addWorker(address(), threads, false, extraArgs);
    }

    /** Starts worker {@code w<n>} as {@link #addWorker(int, String...)} does, with {@code env} added to its environment. */
    public Process addWorker(int threads, java.util.Map<String, String> env, String... extraArgs) throws IOException {
        return addWorker(address(), threads, tls != null, env, extraArgs);
    }

    private Process addWorker(String schedulerAddress, int threads, boolean withTls, String... extraArgs) throws IOException {
        return addWorker(schedulerAddress, threads, withTls, java.util.Map.of(), extraArgs);
    }

    private Process addWorker(String schedulerAddress, int threads, boolean withTls, java.util.Map<String, String> env,
                              String... extraArgs) throws IOException {
        int n = workers.size() + 1;
        List<String> args = new ArrayList<>(List.of(schedulerAddress, "--host", "127.0.0.1", "--nthreads", "" + threads));
        for (String port : List.of("--flight-port", "--http-port")) {
            if (!Arrays.asList(extraArgs).contains(port)) {
                args.addAll(List.of(port, "0"));
            }
        }
        if (!Arrays.asList(extraArgs).contains("--name")) {
            args.addAll(List.of("--name", "w" + n));
        }
        if (!Arrays.asList(extraArgs).contains("--memory-limit")) {
            args.addAll(List.of("--memory-limit", "2GiB"));
        }
        if (!Arrays.asList(extraArgs).contains("--shm-dir")) {
            args.addAll(List.of("--shm-dir", shmDir.toString()));
        }
        if (withTls && Arrays.stream(extraArgs).noneMatch(a -> a.startsWith("--tls-"))) {
            args.addAll(tls.serverArgs(tls.worker("w" + n)));
        }
        args.addAll(Arrays.asList(extraArgs));
        Process p = launch("partita-worker", args, env, logs.resolve("worker-" + n + ".log"));
        workers.add(p);
        return p;
    }

    public Path logs() {
        return logs;
    }

    public List<Process> workers() {
        return workers;
    }

    /** SIGKILL, as a crashed machine or the OOM killer would. */
    public void kill(Process worker) throws InterruptedException {
        worker.destroyForcibly();
        worker.waitFor(10, TimeUnit.SECONDS);
    }

    /** The workers registered with the active scheduler (none while no scheduler is active). */
    public List<WorkerStatus> workerStatus() {
        for (Scheduler s : schedulers) {
            if (!s.process().isAlive()) {
                continue;
            }
            Optional<String> body;
            try {
                body = http.ok(scheme + "://" + s.address() + "/api/workers", token == null ? null : "Bearer " + token);
            } catch (java.io.UncheckedIOException e) {
                if (!s.process().isAlive()) {
                    continue; // it died while answering
                }
                throw e;
            }
            if (body.isPresent()) { // a standby answers 503
                return Arrays.asList(MessageCodec.fromJson(body.get(), WorkerStatus[].class));
            }
        }
        return List.of();
    }

    public void awaitWorkers(int n) {
        waitUntil(n + " workers registered and publishing their load", Duration.ofSeconds(90), () -> {
            for (int i = 0; i < workers.size(); i++) {
                if (!workers.get(i).isAlive()) {
                    throw new AssertionError("worker w" + (i + 1) + " exited with code " + workers.get(i).exitValue()
                            + " while starting; see " + logs.resolve("worker-" + (i + 1) + ".log"));
                }
            }
            List<WorkerStatus> all = workerStatus();
            return all.size() == n && all.stream().allMatch(w -> w.load() != null);
        });
    }

    /** The status of {@code GET url}; -1 when nothing listens there. */
    public int status(String url) {
        return http.get(url, null).map(HttpResponse::statusCode).orElse(-1);
    }

    /** The first scheduler's {@code /health} summary: role, task counts by state, tasks finished, stolen... */
    public com.fasterxml.jackson.databind.JsonNode health() {
        return health(schedulers.getFirst()).orElseThrow(() -> new IllegalStateException("the scheduler does not answer /health"));
    }

    /** {@code scheduler}'s {@code /health} summary, empty when it does not answer (it is not listening, or has exited). */
    public Optional<com.fasterxml.jackson.databind.JsonNode> health(Scheduler scheduler) {
        if (!scheduler.process().isAlive()) {
            return Optional.empty();
        }
        try {
            Optional<String> body = http.ok(scheme + "://127.0.0.1:" + scheduler.dashboardPort() + "/health", null);
            return body.isEmpty() ? Optional.empty() : Optional.of(new com.fasterxml.jackson.databind.ObjectMapper().readTree(body.get()));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (java.io.UncheckedIOException e) {
            if (!scheduler.process().isAlive()) {
                return Optional.empty(); // it died while answering
            }
            throw e;
        }
    }

    /** Polls {@code condition} until it holds, failing with what was awaited (and checking the processes live). */
    public void waitUntil(String what, Duration limit, BooleanSupplier condition) {
        Instant deadline = Instant.now().plus(limit);
        while (Instant.now().isBefore(deadline)) {
            if (!schedulers.isEmpty() && schedulers.stream().noneMatch(s -> s.process().isAlive())) {
                throw new AssertionError("the scheduler exited (code " + schedulers.getFirst().process().exitValue()
                        + ") while waiting for " + what + "; see " + logs);
            }
            if (condition.getAsBoolean()) {
                return;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
        throw new AssertionError("timed out after " + limit.toSeconds() + " s waiting for " + what + "; see " + logs);
    }

    public boolean schedulerAlive() {
        return schedulers.getFirst().process().isAlive();
    }

    private Process launch(String launcher, List<String> args, Path log) throws IOException {
        return launch(launcher, args, java.util.Map.of(), log);
    }

    private Process launch(String launcher, List<String> args, java.util.Map<String, String> env, Path log) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(BIN.resolve(launcher).toString());
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().remove("PARTITA_AUTH_TOKEN");
        builder.environment().put("PARTITA_JAVA_OPTS", "-Xmx512m");
        if (token != null) {
            builder.environment().put("PARTITA_AUTH_TOKEN", token);
        }
        builder.environment().putAll(env);
        return builder.start();
    }

    public Path shmDir() {
        return shmDir;
    }

    /**
     * Stops every process (SIGTERM, then SIGKILL after 15 s) and checks that the workers left no segment behind in
     * the shared-memory folder, which it then removes.
     */
    @Override
    public void close() {
        // workers first, so that they stop (and clean up) while their scheduler is there, as an operator would
        stopAll(workers);
        stopAll(schedulers.stream().map(Scheduler::process).toList());
        http.close();
        if (tls != null) {
            tls.close();
        }
        List<Path> left = leftInSharedMemory();
        deleteTree(shmDir);
        if (!left.isEmpty()) {
            throw new AssertionError("workers left files in the shared-memory folder: " + left);
        }
    }

    /** SIGTERM, then SIGKILL after 15 s. */
    private static void stopAll(List<Process> all) {
        all.forEach(Process::destroy);
        for (Process p : all) {
            try {
                if (!p.waitFor(15, TimeUnit.SECONDS)) {
                    p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }

    private List<Path> leftInSharedMemory() {
        if (!Files.isDirectory(shmDir)) {
            return List.of();
        }
        try (var files = Files.walk(shmDir)) {
            return files.filter(Files::isRegularFile).toList();
        } catch (IOException e) {
            return List.of(shmDir);
        }
    }

    public static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (var paths = Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

}
