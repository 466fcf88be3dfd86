package io.partita.it.netns;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.partita.common.codec.MessageCodec;
import io.partita.common.process.JavaProcess;
import io.partita.common.protocol.WorkerStatus;
import io.partita.testnet.NetworkHosts;
import io.partita.testnet.NetworkHosts.Host;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
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
 * A cluster whose scheduler(s), workers and clients run on the hosts of a {@link NetworkHosts} fixture: separate
 * JVMs started with the bin/ launchers through {@code ip netns exec}, each told its host's real address (no
 * {@code --host-id}, no loopback between them). Every host is a fresh network namespace, so the default ports are
 * free on each. This JVM, in the machine's own namespace, reaches them only through {@link NetworkHosts#call}.
 * Logs go to target/netns-logs/NAME.
 */
final class NetnsCluster implements AutoCloseable {
    private static final Path BIN = Path.of("..", "bin").toAbsolutePath().normalize();
    private static final ObjectMapper JSON = new ObjectMapper();
    /**
     * Every process of the cluster shares it: off loopback a scheduler requires a secret to seal its Hazelcast state,
     * and what crosses these hosts is then authenticated as on a real network.
     */
    static final String TOKEN = "netns-" + java.util.UUID.randomUUID();

    final NetworkHosts net;
    private final Path logs;
    private final List<Scheduler> schedulers = new ArrayList<>();
    private final List<Worker> workers = new ArrayList<>();
    private final List<Process> others = new ArrayList<>();

    record Scheduler(Host host, Process process) {
        String address() {
            return host.address() + ":8786";
        }
    }

    record Worker(String name, Host host, Process process) {}

    private NetnsCluster(NetworkHosts net, Path logs) {
        this.net = net;
        this.logs = logs;
    }

    /** {@code hosts} hosts and no process yet; skips the test (assumption) where namespaces cannot be made. */
    static NetnsCluster create(String name, int hosts) throws IOException {
        assumeTrue(NetworkHosts.unavailableReason().isEmpty(),
                () -> "skipped: " + NetworkHosts.unavailableReason().orElseThrow());
        Path logs = Path.of("target", "netns-logs", name).toAbsolutePath();
        io.partita.it.ClusterProcesses.deleteTree(logs);
        Files.createDirectories(logs);
        return new NetnsCluster(NetworkHosts.create(hosts), logs);
    }

    Host host(int i) {
        return net.host(i);
    }

    Path logs() {
        return logs;
    }

    /** Starts a scheduler on {@code host} at its address; a second one joins the first as a standby. */
    Scheduler startScheduler(Host host, String... extra) throws IOException {
        List<String> args = new ArrayList<>(List.of("--host", host.address()));
        if (!schedulers.isEmpty()) {
            args.addAll(List.of("--join", schedulers.getFirst().host().address() + ":5701"));
        }
        args.addAll(Arrays.asList(extra));
        String log = "scheduler-" + host.name() + ".log";
        Scheduler s = new Scheduler(host, launch(host, "partita-scheduler", args, log));
        schedulers.add(s);
        waitUntil("the scheduler on " + host + " to answer /health", Duration.ofSeconds(90),
                () -> health(s).isPresent());
        return s;
    }

    List<Scheduler> schedulers() {
        return List.copyOf(schedulers);
    }

    /** Every scheduler's client address, comma-separated. */
    String address() {
        return String.join(",", schedulers.stream().map(Scheduler::address).toList());
    }

    /** Starts worker {@code name} (through its nanny) on {@code host}, one thread, 1 GiB, free ports. */
    Worker startWorker(Host host, String name, String... extra) throws IOException {
        List<String> args = new ArrayList<>(List.of(address(), "--name", name, "--host", host.address(),
                "--nthreads", "1", "--memory-limit", "1GiB", "--flight-port", "0", "--http-port", "0"));
        args.addAll(Arrays.asList(extra));
        Worker w = new Worker(name, host, launch(host, "partita-worker", args, "worker-" + name + ".log"));
        workers.add(w);
        return w;
    }

    List<Worker> workers() {
        return List.copyOf(workers);
    }

    /** Waits until the active scheduler lists exactly {@code names}, each publishing its load. */
    void awaitWorkers(String... names) {
        List<String> want = Arrays.stream(names).sorted().toList();
        waitUntil("workers " + want + " registered and publishing their load", Duration.ofSeconds(120), () -> {
            for (Worker w : workers) {
                if (!w.process().isAlive()) {
                    throw new AssertionError("worker " + w.name() + " exited with code " + w.process().exitValue()
                            + "; see " + logs.resolve("worker-" + w.name() + ".log"));
                }
            }
            List<WorkerStatus> all = workerStatus();
            return all.stream().map(s -> s.info().name()).sorted().toList().equals(want)
                    && all.stream().allMatch(s -> s.load() != null);
        });
    }

    /** The workers the active scheduler lists (none while none is active or reachable). */
    List<WorkerStatus> workerStatus() {
        for (Scheduler s : schedulers) {
            if (!s.process().isAlive()) {
                continue;
            }
            Optional<String> body = get(s.host(), "http://" + s.address() + "/api/workers");
            if (body.isPresent()) {
                try {
                    return Arrays.asList(MessageCodec.fromJson(body.get(), WorkerStatus[].class));
                } catch (RuntimeException e) {
                    throw new AssertionError("bad /api/workers answer: " + body.get(), e);
                }
            }
        }
        return List.of();
    }

    Optional<WorkerStatus> worker(String name) {
        return workerStatus().stream().filter(w -> w.info().name().equals(name)).findFirst();
    }

    /** {@code s}'s {@code /health}, empty when it does not answer. */
    Optional<JsonNode> health(Scheduler s) {
        return get(s.host(), "http://" + s.host().address() + ":8787/health").map(b -> {
            try {
                return JSON.readTree(b);
            } catch (IOException e) {
                throw new AssertionError("bad /health answer: " + b, e);
            }
        });
    }

    Optional<Scheduler> active() {
        return schedulers.stream().filter(s -> s.process().isAlive())
                .filter(s -> health(s).map(h -> "active".equals(h.path("role").asText())).orElse(false)).findFirst();
    }

    /** A GET from {@code from}'s network namespace: the body on 200, empty on another status or no answer. */
    Optional<String> get(Host from, String url) {
        try {
            return net.call(from, () -> {
                HttpURLConnection c = (HttpURLConnection) URI.create(url).toURL().openConnection();
                c.setConnectTimeout(2000);
                c.setReadTimeout(5000);
                c.setRequestProperty("Authorization", "Bearer " + TOKEN);
                try {
                    if (c.getResponseCode() != 200) {
                        return Optional.<String>empty();
                    }
                    try (InputStream in = c.getInputStream()) {
                        return Optional.of(new String(in.readAllBytes(), StandardCharsets.UTF_8));
                    }
                } catch (IOException e) {
                    return Optional.<String>empty(); // no answer (yet): the caller polls with a deadline
                } finally {
                    c.disconnect();
                }
            });
        } catch (Exception e) {
            throw new AssertionError("GET " + url + " from " + from + ": " + e, e);
        }
    }

    /**
     * Starts {@link NetnsClient} with {@code args} in a JVM of its own on {@code host} (the test class path, this
     * JVM's flags); its output goes to {@code client-LABEL.log}.
     */
    ClientRun client(Host host, String label, String... args) throws IOException {
        List<String> command = JavaProcess.command(NetnsClient.class.getName(), List.of("-Xmx512m"), Arrays.asList(args));
        Path log = logs.resolve("client-" + label + ".log");
        ProcessBuilder b = net.processBuilder(host, command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        b.environment().put("PARTITA_AUTH_TOKEN", TOKEN);
        Process p = b.start();
        others.add(p);
        return new ClientRun(p, log);
    }

    /** A client JVM and its log, whose {@code RESULT name=value} lines carry its answers. */
    final class ClientRun {
        final Process process;
        final Path log;

        ClientRun(Process process, Path log) {
            this.process = process;
            this.log = log;
        }

        String output() {
            try {
                return Files.exists(log) ? Files.readString(log) : "";
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }

        /** Whether the client printed {@code line} (a whole line). */
        boolean printed(String line) {
            return output().lines().anyMatch(line::equals);
        }

        /** Waits for the client to exit 0 within {@code limit}; fails with its output otherwise. */
        void awaitSuccess(Duration limit) throws InterruptedException {
            if (!process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new AssertionError("the client did not finish within " + limit.toSeconds() + " s:\n" + output());
            }
            if (process.exitValue() != 0) {
                throw new AssertionError("the client exited with " + process.exitValue() + ":\n" + output());
            }
        }

        /** The value of {@code RESULT name=value}. */
        String result(String name) {
            String prefix = "RESULT " + name + "=";
            return output().lines().filter(l -> l.startsWith(prefix)).map(l -> l.substring(prefix.length()))
                    .reduce((a, b) -> b)
                    .orElseThrow(() -> new AssertionError("the client printed no " + prefix + ":\n" + output()));
        }
    }

    /** Polls {@code condition} (every 50 ms) until it holds, failing after {@code limit}. */
    void waitUntil(String what, Duration limit, BooleanSupplier condition) {
        Instant deadline = Instant.now().plus(limit);
        while (Instant.now().isBefore(deadline)) {
            if (condition.getAsBoolean()) {
                return;
            }
            try {
                Thread.sleep(50); // a poll interval, not a wait for an outcome
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
        throw new AssertionError("timed out after " + limit.toSeconds() + " s waiting for " + what + "; see " + logs);
    }

    private Process launch(Host host, String launcher, List<String> args, String log) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(BIN.resolve(launcher).toString());
        command.addAll(args);
        ProcessBuilder b = net.processBuilder(host, command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logs.resolve(log).toFile()));
        b.environment().put("PARTITA_AUTH_TOKEN", TOKEN);
        b.environment().put("PARTITA_JAVA_OPTS", "-Xmx512m");
        return b.start();
    }

    /**
     * Stops the clients, workers, then schedulers (SIGTERM, SIGKILL after 15 s); checks that the workers left no
     * segment in their hosts' {@code /dev/shm}; then deletes the hosts.
     */
    @Override
    public void close() throws IOException {
        List<Path> left;
        try {
            stopAll(others);
            stopAll(workers.stream().map(Worker::process).toList());
            stopAll(schedulers.stream().map(Scheduler::process).toList());
            left = leftInSharedMemory();
        } finally {
            net.close(); // kills whatever still runs in the hosts
        }
        if (!left.isEmpty()) {
            throw new AssertionError("workers left files in their hosts' /dev/shm: " + left);
        }
    }

    private List<Path> leftInSharedMemory() throws IOException {
        List<Path> left = new ArrayList<>();
        for (Host h : net.hosts()) {
            if (Files.isDirectory(h.shmDir())) {
                try (var files = Files.walk(h.shmDir())) {
                    files.filter(Files::isRegularFile).forEach(left::add);
                }
            }
        }
        return left;
    }

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
}
