package io.partita.helm;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.partita.client.Client;
import io.partita.client.ClientOptions;
import io.partita.client.TaskFuture;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The commands the chart gives its containers, run for real: two scheduler pods and a worker pod of the rendered
 * manifests, started as local processes with their arguments and environment resolved as the kubelet would
 * ({@link ChartPod}), with the cluster DNS played by a hosts file that resolves the headless Service to the pods'
 * address. They must form one cluster (the second scheduler joins as a standby through the headless Service), the
 * worker must register with its threads and memory limit taken from the container's limits, a client with the
 * token from the Secret must get a result, and what the ServiceMonitor and PodMonitor scrape must be Partita's metrics.
 * The schedulers read the cluster secret from the Secret volume the chart mounts (written by {@link ChartPod}); with
 * {@code auth.enabled: false} it is what lets a scheduler listening on 0.0.0.0 start at all. (Pods share 127.0.0.1 here: Hazelcast binds only to an interface's own
 * address, so each pod cannot have a loopback address of its own, and the second scheduler gets other ports.
 * Failover itself is FailoverTest's; a name standing for several pods is HazelcastJoinMembersTest's.)
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class ChartClusterTest {
    static final String POD_IP = "127.0.0.1";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http = io.partita.common.net.InternalHttp.client(Duration.ofSeconds(2));

    @Test
    void theRenderedSchedulersAndWorkerFormAClusterThatComputes(@TempDir Path tmp) throws Exception {
        int api = freePort(), dashboard = freePort(), flight = freePort(), hazelcast = freePort();
        int workerFlight = freePort(), workerHttp = freePort();
        Path values = Files.writeString(tmp.resolve("values.yaml"), """
                scheduler:
                  replicas: 2
                  ports: {api: %d, dashboard: %d, flight: %d, hazelcast: %d}
                worker:
                  replicas: 1
                  ports: {flight: %d, http: %d}
                  resources:
                    requests: {cpu: "2", memory: 2Gi}
                    limits: {cpu: "2", memory: 2Gi}
                  connectTimeout: 60
                monitoring:
                  serviceMonitor: {enabled: true}
                  podMonitor: {enabled: true}
                """.formatted(api, dashboard, flight, hazelcast, workerFlight, workerHttp));
        RenderedChart chart = RenderedChart.renderFiles(values);
        JsonNode schedulers = chart.get("Deployment", ChartTest.SCHEDULER);
        JsonNode workers = chart.get("Deployment", ChartTest.WORKER);
        String token = new String(Base64.getDecoder().decode(
                chart.get("Secret", ChartTest.FULLNAME + "-auth").path("data").path("token").asText()), StandardCharsets.UTF_8);

        String javaOpts = javaOpts(tmp);
        int dashboardB = freePort();
        Map<String, String> secondPodPorts = Map.of("--port", "" + freePort(), "--dashboard-port", "" + dashboardB,
                "--flight-port", "" + freePort(), "--hazelcast-port", "" + freePort());

        Path logs = Files.createDirectories(Path.of("target", "chart-cluster-logs").toAbsolutePath());
        for (String log : List.of("scheduler-a.log", "scheduler-b.log", "worker.log")) {
            Files.deleteIfExists(logs.resolve(log));
        }
        List<Process> pods = new ArrayList<>();
        try {
            Process a = ChartPod.start(chart, schedulers, "scheduler", POD_IP, tmp.resolve("pod-a"), javaOpts, Map.of(),
                    logs.resolve("scheduler-a.log"));
            pods.add(a);
            await("scheduler a active", () -> "active".equals(health(dashboard).path("role").asText()), a);
            Process b = ChartPod.start(chart, schedulers, "scheduler", POD_IP, tmp.resolve("pod-b"), javaOpts, secondPodPorts,
                    logs.resolve("scheduler-b.log"));
            pods.add(b);
            await("scheduler b a standby in a's cluster", () -> "standby".equals(health(dashboardB).path("role").asText()), b);
            Process w = ChartPod.start(chart, workers, "worker", POD_IP, tmp.resolve("pod-w"), javaOpts, Map.of(),
                    logs.resolve("worker.log"));
            pods.add(w);
            await("the worker registered with scheduler a", () -> health(dashboard).path("workers").asInt() == 1, w);

            // its threads and memory limit came from the container's limits, through the downward API
            JsonNode worker = JSON.readTree(get("http://" + POD_IP + ":" + api + "/api/workers", token)).get(0).path("info");
            assertThat(worker.path("nthreads").asInt()).isEqualTo(2);
            assertThat(worker.path("memoryLimit").asLong()).isEqualTo(2L << 30);
            assertThat(worker.path("host").asText()).isEqualTo(POD_IP);
            assertThat(worker.path("segmentDir").asText()).startsWith(tmp.resolve("pod-w").resolve("shm").toString());
            assertThat(status("http://" + POD_IP + ":" + workerHttp + "/health")).isEqualTo(200);
            assertThat(status("http://" + POD_IP + ":" + api + "/api/workers")).as("without the token").isEqualTo(401);

            assertThat(sumOfSquares(POD_IP + ":" + api, token)).isEqualTo(30);

            // what the ServiceMonitor and the PodMonitor scrape answers with Partita's metrics
            JsonNode scrape = chart.get("ServiceMonitor", ChartTest.SCHEDULER).path("spec").path("endpoints").get(0);
            int schedulerMetrics = RenderedChart.containerPort(RenderedChart.container(schedulers, "scheduler"), scrape.path("port").asText());
            assertThat(get("http://" + POD_IP + ":" + schedulerMetrics + scrape.path("path").asText(), token))
                    .contains("partita_scheduler_active 1").contains("partita_tasks_finished");
            JsonNode podScrape = chart.get("PodMonitor", ChartTest.WORKER).path("spec").path("podMetricsEndpoints").get(0);
            int workerMetrics = RenderedChart.containerPort(RenderedChart.container(workers, "worker"), podScrape.path("port").asText());
            assertThat(get("http://" + POD_IP + ":" + workerMetrics + podScrape.path("path").asText(), token))
                    .contains("partita_worker_tasks_completed_total");
        } finally {
            for (Process p : pods.reversed()) { // the worker first, so that it retires while its scheduler is up
                p.destroy();
                if (!p.waitFor(30, TimeUnit.SECONDS)) {
                    p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                }
            }
            http.close();
        }
    }

    @Test
    void withoutTheTokenTheRenderedSchedulerListensEverywhereOnlyThanksToItsClusterSecret(@TempDir Path tmp) throws Exception {
        int dashboard = freePort();
        Path values = Files.writeString(tmp.resolve("values.yaml"), """
                auth: {enabled: false}
                scheduler:
                  ports: {api: %d, dashboard: %d, flight: %d, hazelcast: %d}
                """.formatted(freePort(), dashboard, freePort(), freePort()));
        RenderedChart chart = RenderedChart.renderFiles(values);
        JsonNode schedulers = chart.get("Deployment", ChartTest.SCHEDULER);
        JsonNode container = RenderedChart.container(schedulers, "scheduler");
        assertThat(RenderedChart.env(container, "PARTITA_AUTH_TOKEN")).isEmpty();
        // the pod's own 0.0.0.0 this time, as rendered: off loopback, where a scheduler needs a secret (it stops
        // listening again as soon as it has answered once)
        Map<String, String> asRendered = Map.of("--listen-address", "0.0.0.0");
        Path logs = Files.createDirectories(Path.of("target", "chart-cluster-logs").toAbsolutePath());

        // the same pod without the cluster secret (the chart before it had one): refused, as a configuration error
        JsonNode withoutSecret = schedulers.deepCopy();
        com.fasterxml.jackson.databind.node.ArrayNode args = (com.fasterxml.jackson.databind.node.ArrayNode)
                RenderedChart.container(withoutSecret, "scheduler").path("args");
        int i = RenderedChart.args(container).indexOf("--cluster-secret-file");
        assertThat(i).isPositive();
        args.remove(i + 1);
        args.remove(i);
        Path refusedLog = logs.resolve("scheduler-without-secret.log");
        Files.deleteIfExists(refusedLog);
        // (the launcher itself: the image's entry point would give a lone scheduler a secret of its own)
        Process refused = ChartPod.startLauncher(chart, withoutSecret, "scheduler", POD_IP, tmp.resolve("pod-refused"), javaOpts(tmp),
                asRendered, refusedLog);
        try {
            assertThat(refused.waitFor(90, TimeUnit.SECONDS)).as("the scheduler without a secret exits").isTrue();
            assertThat(refused.exitValue()).as("a configuration error, see " + refusedLog).isEqualTo(2);
            assertThat(Files.readString(refusedLog)).contains("without a cluster secret");
        } finally {
            refused.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }

        // with the chart's Secret mounted, it starts and serves
        Path startedLog = logs.resolve("scheduler-no-auth.log");
        Files.deleteIfExists(startedLog);
        Process started = ChartPod.start(chart, schedulers, "scheduler", POD_IP, tmp.resolve("pod"), javaOpts(tmp), asRendered,
                startedLog);
        try {
            await("the scheduler without a token active", () -> "active".equals(health(dashboard).path("role").asText()), started);
            assertThat(health(dashboard).path("status").asText()).isEqualTo("ok");
        } finally {
            started.destroy();
            if (!started.waitFor(30, TimeUnit.SECONDS)) {
                started.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        }
    }

    /**
     * JVM options of the pods: the cluster DNS, played by a hosts file in {@code tmp}; it resolves the headless
     * Service and {@code names} to the pods' address.
     */
    static String javaOpts(Path tmp, String... names) throws IOException {
        // the headless Service resolves to the scheduler pods
        String headless = ChartTest.HEADLESS + "." + RenderedChart.NAMESPACE + ".svc";
        // (this machine's name too: with a hosts file, the JVM resolves every name there)
        String hostname = Files.readString(Path.of("/proc/sys/kernel/hostname")).strip();
        Path hosts = Files.writeString(tmp.resolve("hosts"), String.join("\n", "127.0.0.1 localhost " + hostname,
                POD_IP + " " + headless + " " + String.join(" ", names), ""));
        // Vert.x resolves names itself unless told to ask the JVM, which reads the hosts file
        return "-Djdk.net.hosts.file=" + hosts + " -Dvertx.disableDnsResolver=true";
    }

    private static long sumOfSquares(String schedulers, String token) {
        return sumOfSquares(ClientOptions.of(schedulers).withToken(token));
    }

    static long sumOfSquares(ClientOptions options) {
        try (Client client = Client.connect(options)) {
            List<TaskFuture<Long>> squares = client.map((Integer x) -> (long) x * x, List.of(1, 2, 3, 4));
            return client.submit((List<Long> xs) -> xs.stream().mapToLong(Long::longValue).sum(), squares).result();
        }
    }

    static int freePort() throws IOException {
        return io.partita.testnet.FreePorts.next(InetAddress.getByName(POD_IP));
    }

    private JsonNode health(int port) {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://" + POD_IP + ":" + port + "/health"))
                    .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200 ? JSON.readTree(r.body()) : JSON.createObjectNode();
        } catch (IOException e) {
            return JSON.createObjectNode();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private int status(String url) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private String get(String url, String token) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + token)
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(url + ": " + r.body()).isEqualTo(200);
        return r.body();
    }

    /** Polls {@code condition} for at most 90 s; fails at once if {@code process} exits. */
    static void await(String what, Supplier<Boolean> condition, Process process) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (!condition.get()) {
            if (!process.isAlive()) {
                throw new AssertionError(what + ": the process exited with code " + process.exitValue()
                        + "; see target/chart-cluster-logs");
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within 90 s: " + what + "; see target/chart-cluster-logs");
            }
            Thread.sleep(200); // polling interval
        }
    }
}
