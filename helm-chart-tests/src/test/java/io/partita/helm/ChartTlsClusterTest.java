package io.partita.helm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.partita.client.ClientOptions;
import io.partita.common.net.InternalHttp;
import io.partita.common.tls.Tls;
import io.partita.common.tls.TlsConfig;
import io.partita.testnet.TestCa;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The chart with {@code tls.enabled} and a cert-manager Certificate, run for real as {@link ChartClusterTest} runs
 * it: the test plays cert-manager, issuing from a test CA exactly the names the rendered Certificate asks for into
 * the Secret the pods mount. A scheduler and a worker pod must then form a cluster over mutual TLS, every call
 * between them verifying the other's certificate against the address it reached (the worker announces its pod DNS
 * name, which the certificate's wildcard names), the probes' and the monitors' endpoints must answer over HTTPS,
 * and an in-cluster client with the CA and a certificate must compute, while one without a certificate is refused.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class ChartTlsClusterTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String POD_NAME = "127-0-0-1." + RenderedChart.NAMESPACE + ".pod.cluster.local";

    @Test
    void theRenderedPodsServeAndCallEachOtherOverMutualTlsWithTheCertificateTheChartAsksFor(@TempDir Path tmp) throws Exception {
        int api = ChartClusterTest.freePort(), dashboard = ChartClusterTest.freePort();
        int workerHttp = ChartClusterTest.freePort();
        Path values = Files.writeString(tmp.resolve("values.yaml"), """
                tls:
                  enabled: true
                  clientAuth: true
                  certManager: {enabled: true, issuerRef: {name: partita-ca}}
                scheduler:
                  ports: {api: %d, dashboard: %d, flight: %d, hazelcast: %d}
                worker:
                  replicas: 1
                  ports: {flight: %d, http: %d}
                  resources:
                    requests: {cpu: "1", memory: 1Gi}
                    limits: {cpu: "1", memory: 1Gi}
                  connectTimeout: 60
                monitoring:
                  serviceMonitor: {enabled: true}
                  podMonitor: {enabled: true}
                """.formatted(api, dashboard, ChartClusterTest.freePort(), ChartClusterTest.freePort(),
                ChartClusterTest.freePort(), workerHttp));
        RenderedChart chart = RenderedChart.renderFiles(values);
        JsonNode schedulers = chart.get("Deployment", ChartTest.SCHEDULER);
        JsonNode workers = chart.get("Deployment", ChartTest.WORKER);
        String token = chart.secretValue(ChartTest.FULLNAME + "-auth", "token");

        // cert-manager's part: the Certificate's names, signed by the issuer's CA, into its Secret
        JsonNode certificate = chart.get("Certificate", ChartTest.FULLNAME).path("spec");
        List<String> dnsNames = new ArrayList<>();
        certificate.path("dnsNames").forEach(n -> dnsNames.add(n.asText()));
        TestCa ca = TestCa.create("partita-chart-ca");
        Path certs = Files.createDirectories(tmp.resolve("cert-manager"));
        TestCa.Issued issued = ca.issue("partita", certs.resolve("tls.crt"), certs.resolve("tls.key"), TestCa.KeyType.EC,
                TestCa.KeyFormat.PKCS8, dnsNames, List.of());
        Path caFile = ca.writeCertificate(certs.resolve("ca.crt"));
        Map<String, Map<String, byte[]>> secrets = Map.of(certificate.path("secretName").asText(), Map.of(
                "tls.crt", Files.readAllBytes(issued.cert()), "tls.key", Files.readAllBytes(issued.key()),
                "ca.crt", Files.readAllBytes(caFile)));

        String javaOpts = ChartClusterTest.javaOpts(tmp, POD_NAME);
        Path logs = Files.createDirectories(Path.of("target", "chart-cluster-logs").toAbsolutePath());
        for (String log : List.of("tls-scheduler.log", "tls-worker.log")) {
            Files.deleteIfExists(logs.resolve(log));
        }
        // an in-cluster client: the CA, and (mutual TLS) the release's certificate
        TlsConfig clientTls = TlsConfig.client(caFile).withClientCertificate(issued.cert(), issued.key());
        String schedulerAddress = ChartTest.HEADLESS + "." + RenderedChart.NAMESPACE + ".svc:" + api;
        List<Process> pods = new ArrayList<>();
        try (Tls harness = Tls.start(clientTls); HttpClient https = InternalHttp.client(Duration.ofSeconds(2), harness)) {
            Process scheduler = ChartPod.start(chart, schedulers, "scheduler", ChartClusterTest.POD_IP, tmp.resolve("pod-s"),
                    javaOpts, Map.of(), secrets, logs.resolve("tls-scheduler.log"));
            pods.add(scheduler);
            ChartClusterTest.await("the scheduler active over HTTPS",
                    () -> "active".equals(health(https, POD_NAME + ":" + dashboard).path("role").asText()), scheduler);
            Process worker = ChartPod.start(chart, workers, "worker", ChartClusterTest.POD_IP, tmp.resolve("pod-w"),
                    javaOpts, Map.of(), secrets, logs.resolve("tls-worker.log"));
            pods.add(worker);
            ChartClusterTest.await("the worker registered over wss",
                    () -> health(https, POD_NAME + ":" + dashboard).path("workers").asInt() == 1, worker);

            JsonNode info = JSON.readTree(get(https, "https://" + schedulerAddress + "/api/workers", token)).get(0).path("info");
            assertThat(info.path("host").asText()).as("the worker announces its pod's DNS name").isEqualTo(POD_NAME);
            assertThat(info.path("flightUri").asText()).startsWith("grpc+tls://" + POD_NAME + ":");
            assertThat(ChartClusterTest.sumOfSquares(ClientOptions.of(schedulerAddress).withToken(token).withTls(clientTls)))
                    .isEqualTo(30);
            assertThatThrownBy(() -> ChartClusterTest.sumOfSquares(ClientOptions.of(schedulerAddress).withToken(token)
                    .withTls(TlsConfig.client(caFile))))
                    .as("a client without a certificate, under mutual TLS").hasMessageContaining("requires a client certificate");

            // the probes and the monitors: HTTPS on the ports and paths the manifests name
            JsonNode probe = RenderedChart.container(workers, "worker").path("readinessProbe").path("httpGet");
            assertThat(probe.path("scheme").asText()).isEqualTo("HTTPS");
            assertThat(health(https, POD_NAME + ":" + workerHttp).path("status").asText()).isEqualTo("ok");
            JsonNode scrape = chart.get("PodMonitor", ChartTest.WORKER).path("spec").path("podMetricsEndpoints").get(0);
            assertThat(scrape.path("scheme").asText()).isEqualTo("https");
            String serverName = scrape.path("tlsConfig").path("serverName").asText();
            assertThat(dnsNames).as("the name Prometheus checks the certificates against").contains(serverName);
            assertThat(get(https, "https://" + POD_NAME + ":" + workerHttp + scrape.path("path").asText(), token))
                    .contains("partita_worker_tasks_completed_total");
        } finally {
            for (Process p : pods.reversed()) {
                p.destroy();
                if (!p.waitFor(30, TimeUnit.SECONDS)) {
                    p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                }
            }
        }
    }

    private static JsonNode health(HttpClient https, String hostPort) {
        try {
            HttpResponse<String> r = https.send(HttpRequest.newBuilder(URI.create("https://" + hostPort + "/health"))
                    .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200 ? JSON.readTree(r.body()) : JSON.createObjectNode();
        } catch (java.io.IOException e) {
            return JSON.createObjectNode();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String get(HttpClient https, String url, String token) throws Exception {
        HttpResponse<String> r = https.send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + token)
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(url + ": " + r.body()).isEqualTo(200);
        return r.body();
    }
}
