package io.partita.helm;

import static io.partita.helm.RenderedChart.NAMESPACE;
import static io.partita.helm.RenderedChart.args;
import static io.partita.helm.RenderedChart.container;
import static io.partita.helm.RenderedChart.containerPort;
import static io.partita.helm.RenderedChart.env;
import static io.partita.helm.RenderedChart.flag;
import static io.partita.helm.RenderedChart.podLabels;
import static io.partita.helm.RenderedChart.selects;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * helm lint and helm template of helm/partita, run in this JVM, for the default values and the value sets in
 * src/test/resources/values; the rendered manifests are parsed and checked.
 */
class ChartTest {
    static final String FULLNAME = "analytics-partita";
    static final String SCHEDULER = FULLNAME + "-scheduler";
    static final String HEADLESS = FULLNAME + "-scheduler-headless";
    static final String WORKER = FULLNAME + "-worker";
    static final String CLUSTER_SECRET = FULLNAME + "-cluster-secret";

    @Test
    void lintsCleanlyInStrictMode() {
        LintResult result = new Helm(RenderedChart.chartDir()).lint().strict().call();
        assertThat(result.isFailed()).as("helm lint --strict: %s", result.getMessages()).isFalse();
        assertThat(result.getMessages()).noneMatch(m -> m.contains("[ERROR]") || m.contains("[WARNING]"));
    }

    @Test
    void valuesYamlDocumentsEveryFieldOfTheTopTwoLevelsAndTheTemplatesUseThem() throws Exception {
        Path chart = RenderedChart.chartDir();
        List<String> lines = java.nio.file.Files.readAllLines(chart.resolve("values.yaml"));
        StringBuilder templates = new StringBuilder();
        try (var files = java.nio.file.Files.walk(chart.resolve("templates"))) {
            for (Path f : files.filter(java.nio.file.Files::isRegularFile).toList()) {
                templates.append(java.nio.file.Files.readString(f));
            }
        }
        java.util.regex.Pattern key = java.util.regex.Pattern.compile("^( {0,2})([A-Za-z][A-Za-z0-9]*):.*");
        String parent = "";
        List<String> undocumented = new ArrayList<>();
        List<String> unused = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            java.util.regex.Matcher m = key.matcher(lines.get(i));
            if (!m.matches()) {
                continue;
            }
            String path = m.group(1).isEmpty() ? m.group(2) : parent + "." + m.group(2);
            if (m.group(1).isEmpty()) {
                parent = m.group(2);
            }
            if (i == 0 || !lines.get(i - 1).strip().startsWith("#")) {
                undocumented.add(path);
            }
            if (!templates.toString().contains(".Values." + path) && !templates.toString().contains("$." + path)) {
                unused.add(path);
            }
        }
        assertThat(undocumented).as("values without a comment above them").isEmpty();
        // a value no template reads would mislead its reader; an object a template renders whole (toYaml) counts
        java.util.Set<String> wholesale = new java.util.HashSet<>();
        java.util.regex.Matcher whole = java.util.regex.Pattern.compile("\\.Values\\.(\\w+)\\s*(\\}\\}|\\|)").matcher(templates);
        while (whole.find()) {
            wholesale.add(whole.group(1));
        }
        assertThat(unused).as("values that no template reads").allMatch(path -> wholesale.contains(path.split("\\.")[0]));
    }

    // ---- the default values

    @Test
    void defaultsRenderASchedulerTheWorkersTheirServicesTheSecretsAndTheNetworkPolicies() {
        RenderedChart chart = RenderedChart.render();
        assertThat(chart.all()).extracting(m -> m.path("kind").asText() + "/" + m.path("metadata").path("name").asText())
                .containsExactlyInAnyOrder("Secret/" + FULLNAME + "-auth", "Secret/" + CLUSTER_SECRET, "ServiceAccount/" + FULLNAME,
                        "Service/" + SCHEDULER, "Service/" + HEADLESS, "Deployment/" + SCHEDULER, "Deployment/" + WORKER,
                        "PodDisruptionBudget/" + WORKER, "NetworkPolicy/" + SCHEDULER, "NetworkPolicy/" + WORKER);
        for (JsonNode m : chart.all()) {
            JsonNode labels = m.path("metadata").path("labels");
            assertThat(labels.path("app.kubernetes.io/instance").asText()).isEqualTo(RenderedChart.RELEASE);
            assertThat(labels.path("app.kubernetes.io/managed-by").asText()).isEqualTo("Helm");
            assertThat(m.path("metadata").path("name").asText()).hasSizeLessThanOrEqualTo(63);
        }
        assertThat(chart.get("Deployment", SCHEDULER).path("spec").path("replicas").asInt()).isEqualTo(1);
        assertThat(chart.get("Deployment", WORKER).path("spec").path("replicas").asInt()).isEqualTo(3);
    }

    @Test
    void theSchedulerServiceExposesTheApiTheDashboardAndTheFlightProxyOfTheSchedulerPods() {
        RenderedChart chart = RenderedChart.render();
        JsonNode service = chart.get("Service", SCHEDULER);
        JsonNode scheduler = chart.get("Deployment", SCHEDULER);
        JsonNode container = container(scheduler, "scheduler");
        assertThat(service.path("spec").path("type").asText()).isEqualTo("ClusterIP");
        assertThat(selects(service.path("spec").path("selector"), podLabels(scheduler))).isTrue();
        assertThat(selects(service.path("spec").path("selector"), podLabels(chart.get("Deployment", WORKER)))).isFalse();
        assertThat(servicePorts(service)).containsExactlyInAnyOrderEntriesOf(Map.of("api", 8786, "dashboard", 8787, "flight", 8788));
        // each Service port reaches the container port of the same name and number
        for (JsonNode p : service.path("spec").path("ports")) {
            assertThat(containerPort(container, p.path("targetPort").asText())).isEqualTo(p.path("port").asInt());
        }
        assertThat(containerPort(container, "hazelcast")).isEqualTo(5701);
        // Hazelcast is for the schedulers only: the Service that clients, the Ingress and load balancers use leaves it out
        assertThat(servicePorts(service)).doesNotContainValue(5701);
        for (JsonNode p : service.path("spec").path("ports")) {
            assertThat(p.path("targetPort").asText()).isNotEqualTo("hazelcast");
        }
        JsonNode loadBalancer = RenderedChart.renderFiles(valuesFile("scheduler: {serviceType: LoadBalancer}"))
                .get("Service", SCHEDULER);
        assertThat(loadBalancer.path("spec").path("type").asText()).isEqualTo("LoadBalancer");
        assertThat(servicePorts(loadBalancer)).containsOnlyKeys("api", "dashboard", "flight").doesNotContainValue(5701);

        JsonNode headless = chart.get("Service", HEADLESS);
        assertThat(headless.path("spec").path("clusterIP").asText()).isEqualTo("None");
        assertThat(headless.path("spec").path("publishNotReadyAddresses").asBoolean()).isTrue();
        assertThat(selects(headless.path("spec").path("selector"), podLabels(scheduler))).isTrue();
        assertThat(servicePorts(headless)).containsExactlyInAnyOrderEntriesOf(Map.of("api", 8786, "hazelcast", 5701));
    }

    @Test
    void theSchedulerListensEverywhereAnnouncesItsPodIpAndJoinsTheOtherSchedulersThroughTheHeadlessService() {
        JsonNode container = container(RenderedChart.render().get("Deployment", SCHEDULER), "scheduler");
        assertThat(args(container).getFirst()).isEqualTo("partita-scheduler");
        assertThat(flag(container, "--listen-address")).contains("0.0.0.0");
        assertThat(flag(container, "--join")).contains(HEADLESS + "." + NAMESPACE + ".svc:5701");
        assertThat(flag(container, "--port")).contains("8786");
        assertThat(flag(container, "--dashboard-port")).contains("8787");
        assertThat(flag(container, "--flight-port")).contains("8788");
        assertThat(flag(container, "--cluster-name")).contains(FULLNAME);
        assertThat(flag(container, "--cluster-secret-file")).contains("/etc/partita/cluster-secret/secret");
        assertThat(env(container, "PARTITA_HOST").orElseThrow().path("valueFrom").path("fieldRef").path("fieldPath").asText())
                .isEqualTo("status.podIP");
    }

    @Test
    void theWorkersArePointedAtEverySchedulerThroughTheHeadlessService() {
        RenderedChart chart = RenderedChart.render();
        JsonNode container = container(chart.get("Deployment", WORKER), "worker");
        List<String> args = args(container);
        assertThat(args.getFirst()).isEqualTo("partita-worker");
        String address = args.get(1);
        String host = address.substring(0, address.lastIndexOf(':'));
        int port = Integer.parseInt(address.substring(address.lastIndexOf(':') + 1));
        assertThat(host).isEqualTo(chart.get("Service", HEADLESS).path("metadata").path("name").asText() + "." + NAMESPACE + ".svc");
        assertThat(servicePorts(chart.get("Service", HEADLESS))).containsEntry("api", port);
        assertThat(containerPort(container(chart.get("Deployment", SCHEDULER), "scheduler"), "api")).isEqualTo(port);
        assertThat(env(container, "PARTITA_HOST").orElseThrow().path("valueFrom").path("fieldRef").path("fieldPath").asText())
                .isEqualTo("status.podIP");
        assertThat(flag(container, "--connect-timeout")).contains("120");
        assertThat(args).doesNotContain("--no-nanny");
        // a worker joins no Hazelcast cluster: it reaches the scheduler over its authenticated socket only
        assertThat(container.path("ports")).extracting(p -> p.path("name").asText()).containsExactlyInAnyOrder("flight", "http");
        assertThat(container.path("ports")).extracting(p -> p.path("containerPort").asInt()).containsExactlyInAnyOrder(8789, 8790);
        assertThat(args).noneMatch(a -> a.contains("5701") || a.contains("hazelcast"));
    }

    @Test
    void workerThreadsAndMemoryComeFromTheContainersLimitsAndSegmentsFromAMemoryBackedVolume() {
        JsonNode worker = RenderedChart.render().get("Deployment", WORKER);
        JsonNode container = container(worker, "worker");
        assertThat(container.path("resources").path("limits").path("memory").asText()).isEqualTo("4Gi");
        assertThat(container.path("resources").path("limits").path("cpu").asText()).isEqualTo("1");
        assertThat(container.path("resources").path("requests").path("memory").asText()).isEqualTo("4Gi");
        assertThat(flag(container, "--nthreads")).isEmpty();
        assertThat(flag(container, "--memory-limit")).isEmpty();
        JsonNode threads = env(container, "PARTITA_WORKER_NTHREADS").orElseThrow().path("valueFrom").path("resourceFieldRef");
        assertThat(threads.path("resource").asText()).isEqualTo("limits.cpu");
        assertThat(threads.path("containerName").asText()).isEqualTo("worker");
        assertThat(threads.path("divisor").asText()).isEqualTo("1");
        JsonNode memory = env(container, "PARTITA_WORKER_MEMORY_LIMIT").orElseThrow().path("valueFrom").path("resourceFieldRef");
        assertThat(memory.path("resource").asText()).isEqualTo("limits.memory");
        assertThat(memory.path("containerName").asText()).isEqualTo("worker");

        assertThat(flag(container, "--shm-dir")).contains("/dev/shm/partita");
        assertThat(mountPath(container, "shm")).isEqualTo("/dev/shm");
        JsonNode shm = volume(worker, "shm").path("emptyDir");
        assertThat(shm.path("medium").asText()).isEqualTo("Memory");
        assertThat(shm.path("sizeLimit").asText()).isEqualTo("1Gi");
        assertThat(flag(container, "--spill-dir").orElseThrow()).startsWith(mountPath(container, "data") + "/");
        // on SIGTERM a worker hands its keys over for at most 20 s: the grace period must leave room for it
        assertThat(worker.path("spec").path("template").path("spec").path("terminationGracePeriodSeconds").asInt()).isGreaterThan(20);
    }

    @Test
    void probesAskHealthOnTheDashboardPortOfTheSchedulerAndTheHttpPortOfTheWorker() {
        RenderedChart chart = RenderedChart.render();
        JsonNode scheduler = container(chart.get("Deployment", SCHEDULER), "scheduler");
        JsonNode worker = container(chart.get("Deployment", WORKER), "worker");
        for (String probe : List.of("readinessProbe", "livenessProbe")) {
            assertThat(probedPort(scheduler, probe)).as("scheduler " + probe).isEqualTo(8787);
            assertThat(probedPort(worker, probe)).as("worker " + probe).isEqualTo(8790);
        }
        assertThat(flag(worker, "--http-port")).contains("8790");
        // a worker is unregistered while its scheduler fails over: liveness must outlast that (reconnect within 120 s)
        JsonNode liveness = worker.path("livenessProbe");
        assertThat(liveness.path("periodSeconds").asInt() * liveness.path("failureThreshold").asInt()).isGreaterThanOrEqualTo(60);
    }

    @Test
    void podsRunAsNonRootWithAReadOnlyRootFileSystemAndNoCapabilities() {
        RenderedChart chart = RenderedChart.render();
        for (String name : List.of(SCHEDULER, WORKER)) {
            JsonNode deployment = chart.get("Deployment", name);
            JsonNode pod = deployment.path("spec").path("template").path("spec");
            assertThat(pod.path("securityContext").path("runAsNonRoot").asBoolean()).as(name).isTrue();
            assertThat(pod.path("securityContext").path("runAsUser").asInt()).as(name).isPositive();
            assertThat(pod.path("securityContext").path("seccompProfile").path("type").asText()).isEqualTo("RuntimeDefault");
            assertThat(pod.path("automountServiceAccountToken").asBoolean(true)).isFalse();
            assertThat(pod.path("serviceAccountName").asText()).isEqualTo(FULLNAME);
            // service links would set PARTITA_SCHEDULER_PORT=tcp://..., which Partita reads as --port
            assertThat(pod.path("enableServiceLinks").asBoolean(true)).as(name).isFalse();
            for (JsonNode container : pod.path("containers")) {
                JsonNode sc = container.path("securityContext");
                assertThat(sc.path("readOnlyRootFilesystem").asBoolean()).as(name).isTrue();
                assertThat(sc.path("allowPrivilegeEscalation").asBoolean(true)).as(name).isFalse();
                assertThat(sc.path("capabilities").path("drop")).extracting(JsonNode::asText).containsExactly("ALL");
                assertThat(sc.path("capabilities").has("add")).isFalse();
                // with a read-only root, everything the JVM writes goes to volumes: /tmp at least; the only other
                // volume is the schedulers' cluster secret, mounted read-only
                List<String> mounts = new ArrayList<>();
                for (JsonNode m : container.path("volumeMounts")) {
                    mounts.add(m.path("mountPath").asText());
                    JsonNode volume = volume(deployment, m.path("name").asText());
                    if (!volume.has("emptyDir")) {
                        assertThat(volume.path("secret").path("secretName").asText()).as(name).isEqualTo(CLUSTER_SECRET);
                        assertThat(m.path("readOnly").asBoolean()).isTrue();
                    }
                }
                assertThat(mounts).contains("/tmp", "/var/lib/partita");
            }
        }
    }

    @Test
    void theGeneratedTokenIsASecretReadIntoPartitaAuthTokenByTheSchedulerAndTheWorkers() {
        RenderedChart chart = RenderedChart.render();
        JsonNode secret = chart.get("Secret", FULLNAME + "-auth");
        String token = new String(Base64.getDecoder().decode(secret.path("data").path("token").asText()), StandardCharsets.UTF_8);
        assertThat(token).matches("[A-Za-z0-9]{48}");
        assertThat(RenderedChart.render().get("Secret", FULLNAME + "-auth").path("data").path("token").asText())
                .as("a fresh install generates a new token").isNotEqualTo(secret.path("data").path("token").asText());
        for (String name : List.of(SCHEDULER, WORKER)) {
            JsonNode ref = env(container(chart.get("Deployment", name), name.endsWith("worker") ? "worker" : "scheduler"),
                    "PARTITA_AUTH_TOKEN").orElseThrow().path("valueFrom").path("secretKeyRef");
            assertThat(ref.path("name").asText()).isEqualTo(FULLNAME + "-auth");
            assertThat(ref.path("key").asText()).isEqualTo("token");
        }
        // never on a command line, where ps and the pod spec's args would show it
        assertThat(chart.all().toString()).doesNotContain("--auth-token");
    }

    @Test
    void theGeneratedClusterSecretIsASecretFileOfTheSchedulerPodsOnly() {
        RenderedChart chart = RenderedChart.render();
        String secret = clusterSecret(chart);
        assertThat(secret).matches("[A-Za-z0-9]{48}");
        assertThat(clusterSecret(RenderedChart.render())).as("a fresh install generates a new one").isNotEqualTo(secret);
        assertThat(secret).as("not the token").isNotEqualTo(new String(Base64.getDecoder().decode(
                chart.get("Secret", FULLNAME + "-auth").path("data").path("token").asText()), StandardCharsets.UTF_8));

        assertSchedulersReadTheClusterSecret(chart, CLUSTER_SECRET, "secret");
        JsonNode scheduler = chart.get("Deployment", SCHEDULER);
        // only the pod's group (fsGroup 10001) reads it
        assertThat(volume(scheduler, "cluster-secret").path("secret").path("defaultMode").asInt()).isEqualTo(0440);
        // never in the environment or on a command line, and never given to the workers
        assertThat(chart.all().toString()).doesNotContain(secret);
        JsonNode worker = chart.get("Deployment", WORKER);
        assertThat(worker.toString()).doesNotContain("cluster-secret");
        assertThat(args(container(worker, "worker"))).doesNotContain("--cluster-secret-file");
    }

    @Test
    void withoutAnFsGroupTheClusterSecretFileStaysReadableByThePodsUser() {
        RenderedChart chart = RenderedChart.renderFiles(valuesFile("podSecurityContext: {fsGroup: null}"));
        JsonNode scheduler = chart.get("Deployment", SCHEDULER);
        assertThat(scheduler.path("spec").path("template").path("spec").path("securityContext").has("fsGroup")).isFalse();
        assertThat(volume(scheduler, "cluster-secret").path("secret").path("defaultMode").asInt()).isEqualTo(0444);
    }

    @Test
    void oneSchedulerGetsNoDisruptionBudgetThatWouldBlockNodeDrains() {
        RenderedChart chart = RenderedChart.render();
        assertThat(chart.find("PodDisruptionBudget", SCHEDULER)).isEmpty();
        JsonNode pdb = chart.get("PodDisruptionBudget", WORKER);
        assertThat(pdb.path("spec").path("maxUnavailable").asInt()).isEqualTo(1);
        assertThat(selects(pdb.path("spec").path("selector").path("matchLabels"), podLabels(chart.get("Deployment", WORKER)))).isTrue();
        assertThat(selects(pdb.path("spec").path("selector").path("matchLabels"), podLabels(chart.get("Deployment", SCHEDULER)))).isFalse();
    }

    // ---- other value sets

    @Test
    void severalSchedulersStandByOnOtherNodesWithADisruptionBudget() {
        RenderedChart chart = RenderedChart.render("several-schedulers.yaml");
        JsonNode scheduler = chart.get("Deployment", SCHEDULER);
        assertThat(scheduler.path("spec").path("replicas").asInt()).isEqualTo(3);
        // a new scheduler joins the old ones before one of them stops
        assertThat(scheduler.path("spec").path("strategy").path("rollingUpdate").path("maxUnavailable").asInt()).isZero();
        assertThat(flag(container(scheduler, "scheduler"), "--join")).contains(HEADLESS + "." + NAMESPACE + ".svc:5701");
        JsonNode antiAffinity = scheduler.path("spec").path("template").path("spec").path("affinity").path("podAntiAffinity")
                .path("preferredDuringSchedulingIgnoredDuringExecution").get(0).path("podAffinityTerm");
        assertThat(antiAffinity.path("topologyKey").asText()).isEqualTo("kubernetes.io/hostname");
        assertThat(selects(antiAffinity.path("labelSelector").path("matchLabels"), podLabels(scheduler))).isTrue();

        JsonNode pdb = chart.get("PodDisruptionBudget", SCHEDULER);
        assertThat(pdb.path("spec").path("maxUnavailable").asInt()).isEqualTo(1);
        assertThat(selects(pdb.path("spec").path("selector").path("matchLabels"), podLabels(scheduler))).isTrue();
        // workers still get the one name that resolves to every scheduler
        assertThat(args(container(chart.get("Deployment", WORKER), "worker")).get(1))
                .isEqualTo(HEADLESS + "." + NAMESPACE + ".svc:8786");
    }

    @Test
    void ingressAndMonitorsPointAtTheDashboardAndTheWorkersMetrics() {
        RenderedChart chart = RenderedChart.render("ingress-and-monitors.yaml");
        JsonNode service = chart.get("Service", SCHEDULER);

        JsonNode ingress = chart.get("Ingress", SCHEDULER);
        assertThat(ingress.path("spec").path("ingressClassName").asText()).isEqualTo("nginx");
        JsonNode rule = ingress.path("spec").path("rules").get(0);
        assertThat(rule.path("host").asText()).isEqualTo("partita.data.example.org");
        JsonNode backend = rule.path("http").path("paths").get(0).path("backend").path("service");
        assertThat(backend.path("name").asText()).isEqualTo(service.path("metadata").path("name").asText());
        assertThat(servicePorts(service)).containsEntry(backend.path("port").path("name").asText(), 8787);
        assertThat(ingress.path("spec").path("tls").get(0).path("secretName").asText()).isEqualTo("partita-dashboard-tls");
        assertThat(ingress.path("spec").path("tls").get(0).path("hosts")).extracting(JsonNode::asText)
                .containsExactly("partita.data.example.org");
        // the dashboard answers only under names it knows: the Ingress's is passed on
        assertThat(args(container(chart.get("Deployment", SCHEDULER), "scheduler")))
                .containsSubsequence("--allowed-hosts", "partita.data.example.org");

        JsonNode serviceMonitor = chart.get("ServiceMonitor", SCHEDULER);
        assertThat(serviceMonitor.path("apiVersion").asText()).isEqualTo("monitoring.coreos.com/v1");
        assertThat(serviceMonitor.path("metadata").path("labels").path("release").asText()).isEqualTo("kube-prometheus-stack");
        assertThat(selects(serviceMonitor.path("spec").path("selector").path("matchLabels"), service.path("metadata").path("labels"))).isTrue();
        JsonNode endpoint = serviceMonitor.path("spec").path("endpoints").get(0);
        assertThat(endpoint.path("path").asText()).isEqualTo("/metrics");
        assertThat(endpoint.path("interval").asText()).isEqualTo("15s");
        assertThat(servicePorts(service)).containsEntry(endpoint.path("port").asText(), 8787);
        assertThat(serviceMonitor.path("spec").path("namespaceSelector").path("matchNames")).extracting(JsonNode::asText)
                .containsExactly(NAMESPACE);

        JsonNode worker = chart.get("Deployment", WORKER);
        JsonNode podMonitor = chart.get("PodMonitor", WORKER);
        assertThat(selects(podMonitor.path("spec").path("selector").path("matchLabels"), podLabels(worker))).isTrue();
        assertThat(selects(podMonitor.path("spec").path("selector").path("matchLabels"), podLabels(chart.get("Deployment", SCHEDULER)))).isFalse();
        JsonNode podEndpoint = podMonitor.path("spec").path("podMetricsEndpoints").get(0);
        assertThat(podEndpoint.path("path").asText()).isEqualTo("/metrics");
        assertThat(containerPort(container(worker, "worker"), podEndpoint.path("port").asText())).isEqualTo(8790);
    }

    @Test
    void autoscalingHandsTheWorkerReplicasToAHorizontalPodAutoscaler() {
        RenderedChart chart = RenderedChart.render("autoscaling.yaml");
        JsonNode worker = chart.get("Deployment", WORKER);
        assertThat(worker.path("spec").has("replicas")).as("the HPA owns the replicas").isFalse();
        JsonNode hpa = chart.get("HorizontalPodAutoscaler", WORKER);
        assertThat(hpa.path("apiVersion").asText()).isEqualTo("autoscaling/v2");
        JsonNode target = hpa.path("spec").path("scaleTargetRef");
        assertThat(target.path("kind").asText()).isEqualTo("Deployment");
        assertThat(target.path("name").asText()).isEqualTo(worker.path("metadata").path("name").asText());
        assertThat(hpa.path("spec").path("minReplicas").asInt()).isEqualTo(2);
        assertThat(hpa.path("spec").path("maxReplicas").asInt()).isEqualTo(20);
        Map<String, Integer> targets = new java.util.HashMap<>();
        hpa.path("spec").path("metrics").forEach(m -> targets.put(m.path("resource").path("name").asText(),
                m.path("resource").path("target").path("averageUtilization").asInt()));
        assertThat(targets).containsExactlyInAnyOrderEntriesOf(Map.of("cpu", 75, "memory", 70));
        // utilization is measured against requests: the workers must have them
        assertThat(container(worker, "worker").path("resources").path("requests").has("cpu")).isTrue();
        assertThat(hpa.path("spec").path("behavior").path("scaleDown").path("stabilizationWindowSeconds").asInt()).isPositive();
    }

    @Test
    void anAutoscalerWithNothingToScaleOnIsRefusedWithAClearMessage() {
        assertThatThrownBy(() -> RenderedChart.render("autoscaling-without-target.yaml"))
                .hasMessageContaining("worker.autoscaling.enabled needs targetCPUUtilizationPercentage or targetMemoryUtilizationPercentage");
    }

    @Test
    void existingSecretsAndExplicitWorkerSizesAreUsedAsGiven() {
        RenderedChart chart = RenderedChart.render("existing-secret-and-sizes.yaml");
        assertThat(chart.ofKind("Secret")).as("the chart creates no Secret of its own").isEmpty();
        assertSchedulersReadTheClusterSecret(chart, "partita-cluster-secret", "hazelcast-seal");
        JsonNode worker = chart.get("Deployment", WORKER);
        JsonNode container = container(worker, "worker");
        for (JsonNode c : List.of(container, container(chart.get("Deployment", SCHEDULER), "scheduler"))) {
            JsonNode ref = env(c, "PARTITA_AUTH_TOKEN").orElseThrow().path("valueFrom").path("secretKeyRef");
            assertThat(ref.path("name").asText()).isEqualTo("partita-token");
            assertThat(ref.path("key").asText()).isEqualTo("cluster-token");
        }
        assertThat(flag(container, "--nthreads")).contains("8");
        assertThat(flag(container, "--memory-limit")).contains("12GiB");
        assertThat(env(container, "PARTITA_WORKER_NTHREADS")).isEmpty();
        assertThat(env(container, "PARTITA_WORKER_MEMORY_LIMIT")).isEmpty();
        assertThat(container.path("resources").path("limits").path("memory").asText()).isEqualTo("16Gi");
        assertThat(container.path("resources").path("limits").has("cpu")).isFalse();
        assertThat(volume(worker, "shm").path("emptyDir").path("sizeLimit").asText()).isEqualTo("4Gi");
    }

    @Test
    void withoutAuthThereIsNoTokenAnywhereButTheSchedulersStillHaveTheirClusterSecret() {
        RenderedChart chart = RenderedChart.render("no-auth.yaml");
        for (JsonNode d : chart.ofKind("Deployment")) {
            for (JsonNode c : d.path("spec").path("template").path("spec").path("containers")) {
                assertThat(env(c, "PARTITA_AUTH_TOKEN")).isEmpty();
            }
        }
        // a scheduler listening on 0.0.0.0 refuses to start without a token or a cluster secret: it gets the latter
        assertThat(chart.ofKind("Secret")).extracting(s -> s.path("metadata").path("name").asText()).containsExactly(CLUSTER_SECRET);
        assertThat(clusterSecret(chart)).matches("[A-Za-z0-9]{48}");
        assertThat(flag(container(chart.get("Deployment", SCHEDULER), "scheduler"), "--listen-address")).contains("0.0.0.0");
        assertSchedulersReadTheClusterSecret(chart, CLUSTER_SECRET, "secret");
        assertThat(RenderedChart.render("no-auth.yaml", "network-policy.yaml").ofKind("NetworkPolicy")).hasSize(2);
    }

    @Test
    void networkPoliciesAreOnByDefaultAndAdmitOnlyTheReleasesSchedulersToHazelcast() {
        RenderedChart chart = RenderedChart.render();
        JsonNode scheduler = chart.get("Deployment", SCHEDULER);
        JsonNode worker = chart.get("Deployment", WORKER);
        JsonNode schedulerPolicy = chart.get("NetworkPolicy", SCHEDULER);
        JsonNode workerPolicy = chart.get("NetworkPolicy", WORKER);
        assertThat(selects(schedulerPolicy.path("spec").path("podSelector").path("matchLabels"), podLabels(scheduler))).isTrue();
        assertThat(selects(schedulerPolicy.path("spec").path("podSelector").path("matchLabels"), podLabels(worker))).isFalse();
        assertThat(selects(workerPolicy.path("spec").path("podSelector").path("matchLabels"), podLabels(worker))).isTrue();
        assertThat(selects(workerPolicy.path("spec").path("podSelector").path("matchLabels"), podLabels(scheduler))).isFalse();
        for (JsonNode policy : List.of(schedulerPolicy, workerPolicy)) {
            assertThat(policy.path("spec").path("policyTypes")).extracting(JsonNode::asText).containsExactly("Ingress");
        }

        // Hazelcast: one rule, from this release's scheduler pods and nobody else
        List<JsonNode> hazelcastRules = new ArrayList<>();
        schedulerPolicy.path("spec").path("ingress").forEach(r -> {
            if (ports(r).contains(5701)) {
                hazelcastRules.add(r);
            }
        });
        assertThat(hazelcastRules).hasSize(1);
        JsonNode hazelcast = hazelcastRules.getFirst();
        assertThat(ports(hazelcast)).containsExactly(5701);
        assertThat(hazelcast.path("from")).hasSize(1);
        JsonNode peer = hazelcast.path("from").get(0);
        assertThat(peer.has("namespaceSelector") || peer.has("ipBlock")).as("pods of this namespace only").isFalse();
        assertThat(peer.path("podSelector").path("matchLabels").path("app.kubernetes.io/component").asText()).isEqualTo("scheduler");
        assertThat(portsOpenTo(schedulerPolicy, podLabels(scheduler))).contains(5701, 8786);
        assertThat(portsOpenTo(schedulerPolicy, podLabels(worker))).doesNotContain(5701).contains(8786);
        assertThat(portsOpenTo(schedulerPolicy, TEST_POD)).doesNotContain(5701).contains(8787);
        assertThat(portsOpenTo(schedulerPolicy, OTHER_POD)).as("clients: everyone by default").containsExactlyInAnyOrder(8786, 8787, 8788);
        JsonNode otherRelease = podLabels(scheduler).deepCopy();
        ((com.fasterxml.jackson.databind.node.ObjectNode) otherRelease).put("app.kubernetes.io/instance", "other");
        assertThat(portsOpenTo(schedulerPolicy, otherRelease)).as("another release's schedulers").doesNotContain(5701);

        // workers have no Hazelcast port, and their policy opens none
        for (JsonNode p : workerPolicy.path("spec").path("ingress").findValues("ports")) {
            for (JsonNode port : p) {
                assertThat(port.has("endPort")).as("no port range").isFalse();
                int number = port.path("port").asInt();
                assertThat(number < 5701 || number > 6201).as("port %d is no Hazelcast port (5701 to 6201)", number).isTrue();
            }
        }
        assertThat(portsOpenTo(workerPolicy, podLabels(worker))).containsExactlyInAnyOrder(8789, 8790);
        assertThat(portsOpenTo(workerPolicy, OTHER_POD)).containsExactlyInAnyOrder(8789, 8790);

        assertThat(RenderedChart.renderFiles(valuesFile("networkPolicy: {enabled: false}")).ofKind("NetworkPolicy"))
                .as("can be turned off").isEmpty();
    }

    @Test
    void networkPoliciesKeepTheClientPortsToTheListedClients() {
        RenderedChart chart = RenderedChart.render("network-policy.yaml");
        JsonNode scheduler = chart.get("Deployment", SCHEDULER);
        JsonNode worker = chart.get("Deployment", WORKER);
        JsonNode schedulerPolicy = chart.get("NetworkPolicy", SCHEDULER);
        JsonNode workerPolicy = chart.get("NetworkPolicy", WORKER);

        // the release's pods keep what they need: the schedulers each other's Hazelcast, the workers the API
        // (their sockets) and each other's Flight and bulk path (HTTP), the helm test pod the dashboard
        assertThat(portsOpenTo(schedulerPolicy, podLabels(scheduler))).containsExactlyInAnyOrder(5701, 8786, 8787);
        assertThat(portsOpenTo(schedulerPolicy, podLabels(worker))).containsExactlyInAnyOrder(8786, 8787);
        assertThat(portsOpenTo(schedulerPolicy, TEST_POD)).containsExactlyInAnyOrder(8786, 8787);
        assertThat(portsOpenTo(workerPolicy, podLabels(worker))).containsExactlyInAnyOrder(8789, 8790);
        assertThat(portsOpenTo(workerPolicy, podLabels(scheduler))).containsExactlyInAnyOrder(8789, 8790);
        // other pods of the namespace: nothing, as they are not among the clients
        assertThat(portsOpenTo(schedulerPolicy, OTHER_POD)).isEmpty();
        assertThat(portsOpenTo(workerPolicy, OTHER_POD)).isEmpty();

        // client-facing ports: from the listed peers only, and never Hazelcast
        JsonNode schedulerClients = schedulerPolicy.path("spec").path("ingress").get(2);
        JsonNode workerClients = workerPolicy.path("spec").path("ingress").get(1);
        for (JsonNode clients : List.of(schedulerClients, workerClients)) {
            assertThat(clients.path("from")).hasSize(1);
            assertThat(clients.path("from").get(0).path("namespaceSelector").path("matchLabels")
                    .path("kubernetes.io/metadata.name").asText()).isEqualTo("notebooks");
            assertThat(ports(clients)).doesNotContain(5701, 5702);
        }
        assertThat(ports(schedulerClients)).containsExactlyInAnyOrder(8786, 8787, 8788);
        assertThat(ports(workerClients)).containsExactlyInAnyOrder(8789, 8790);
    }

    /** The labels of the helm test pod and of a pod of the namespace that is no part of the release. */
    private static final JsonNode TEST_POD = labels(Map.of("app.kubernetes.io/name", "partita",
            "app.kubernetes.io/instance", RenderedChart.RELEASE, "app.kubernetes.io/component", "test"));
    private static final JsonNode OTHER_POD = labels(Map.of("app", "notebook"));

    private static JsonNode labels(Map<String, String> labels) {
        return new com.fasterxml.jackson.databind.ObjectMapper().valueToTree(labels);
    }

    /**
     * The ports a NetworkPolicy opens to a pod of the release's namespace with these labels: those of every rule
     * without a from (everyone), or with a podSelector peer that selects the pod.
     */
    private static java.util.Set<Integer> portsOpenTo(JsonNode policy, JsonNode labels) {
        java.util.Set<Integer> open = new java.util.TreeSet<>();
        for (JsonNode rule : policy.path("spec").path("ingress")) {
            boolean admitted = !rule.has("from");
            for (JsonNode peer : rule.path("from")) {
                admitted |= peer.has("podSelector") && !peer.has("namespaceSelector") && !peer.has("ipBlock")
                        && selects(peer.path("podSelector").path("matchLabels"), labels);
            }
            if (admitted) {
                open.addAll(ports(rule));
            }
        }
        return open;
    }

    private static List<Integer> ports(JsonNode rule) {
        List<Integer> ports = new ArrayList<>();
        rule.path("ports").forEach(p -> ports.add(p.path("port").asInt()));
        return ports;
    }

    @Test
    void withTlsFromAnExistingSecretEveryPodServesItsCertificateAndProbesAndMonitorsUseHttps() {
        RenderedChart chart = RenderedChart.render("tls-existing-secret.yaml");
        assertThat(chart.ofKind("Certificate")).isEmpty();
        for (String[] pod : new String[][] {{SCHEDULER, "scheduler"}, {WORKER, "worker"}}) {
            JsonNode workload = chart.get("Deployment", pod[0]);
            JsonNode c = container(workload, pod[1]);
            assertThat(flag(c, "--tls-cert")).contains("/etc/partita/tls/tls.crt");
            assertThat(flag(c, "--tls-key")).contains("/etc/partita/tls/tls.key");
            assertThat(flag(c, "--tls-ca")).contains("/etc/partita/tls/ca.crt");
            assertThat(RenderedChart.args(c)).doesNotContain("--tls-client-auth");
            assertThat(RenderedChart.env(c, "PARTITA_POD_DNS_DOMAIN").map(e -> e.path("value").asText())).contains(RenderedChart.NAMESPACE + ".pod.cluster.local");
            assertThat(c.path("readinessProbe").path("httpGet").path("scheme").asText()).isEqualTo("HTTPS");
            assertThat(c.path("livenessProbe").path("httpGet").path("scheme").asText()).isEqualTo("HTTPS");
            JsonNode volume = null;
            for (JsonNode v : workload.path("spec").path("template").path("spec").path("volumes")) {
                volume = "tls".equals(v.path("name").asText()) ? v : volume;
            }
            assertThat(volume).as("the tls volume of " + pod[0]).isNotNull();
            assertThat(volume.path("secret").path("secretName").asText()).isEqualTo("partita-tls");
        }
        JsonNode scrape = chart.get("ServiceMonitor", SCHEDULER).path("spec").path("endpoints").get(0);
        assertThat(scrape.path("scheme").asText()).isEqualTo("https");
        assertThat(scrape.path("tlsConfig").path("ca").path("secret").path("name").asText()).isEqualTo("partita-tls");
        assertThat(scrape.path("tlsConfig").path("serverName").asText()).isEqualTo(SCHEDULER + "." + RenderedChart.NAMESPACE + ".svc");
    }

    @Test
    void withoutTlsNothingAsksForACertificate() {
        RenderedChart chart = RenderedChart.render();
        assertThat(chart.ofKind("Certificate")).isEmpty();
        JsonNode c = container(chart.get("Deployment", WORKER), "worker");
        assertThat(flag(c, "--tls-cert")).isEmpty();
        assertThat(RenderedChart.env(c, "PARTITA_POD_DNS_DOMAIN")).isEmpty();
        assertThat(c.path("readinessProbe").path("httpGet").has("scheme")).isFalse();
    }

    @Test
    void tlsWithoutACertificateOrAnIssuerIsRefusedWithAClearMessage() {
        assertThatThrownBy(() -> RenderedChart.render("tls-without-certificate.yaml"))
                .hasMessageContaining("tls.enabled needs tls.secretName");
        assertThatThrownBy(() -> RenderedChart.render("tls-cert-manager-without-issuer.yaml"))
                .hasMessageContaining("tls.certManager.enabled needs tls.certManager.issuerRef.name");
    }

    @ParameterizedTest
    @ValueSource(strings = {"several-schedulers.yaml", "ingress-and-monitors.yaml", "autoscaling.yaml",
            "existing-secret-and-sizes.yaml", "no-auth.yaml", "network-policy.yaml", "tls-existing-secret.yaml"})
    void everyValueSetKeepsTheSecurityContextsAndProbes(String values) {
        RenderedChart chart = RenderedChart.render(values);
        assertThat(flag(container(chart.get("Deployment", SCHEDULER), "scheduler"), "--cluster-secret-file")).isPresent();
        for (JsonNode d : chart.ofKind("Deployment")) {
            JsonNode pod = d.path("spec").path("template").path("spec");
            assertThat(pod.path("securityContext").path("runAsNonRoot").asBoolean()).isTrue();
            assertThat(pod.path("enableServiceLinks").asBoolean(true)).isFalse();
            for (JsonNode c : pod.path("containers")) {
                assertThat(c.path("securityContext").path("readOnlyRootFilesystem").asBoolean()).isTrue();
                assertThat(c.path("readinessProbe").path("httpGet").path("path").asText()).isEqualTo("/health");
                assertThat(c.path("livenessProbe").path("httpGet").path("path").asText()).isEqualTo("/health");
            }
        }
    }

    @Test
    void theNotesTellHowToReachTheDashboardAndConnectAClient() {
        String notes = RenderedChart.notes();
        assertThat(notes).contains("kubectl --namespace data port-forward service/" + SCHEDULER + " 8787:8787")
                .contains("http://localhost:8787")
                .contains("Client.connect(\"" + HEADLESS + "." + NAMESPACE + ".svc:8786\")")
                .contains("port-forward service/" + SCHEDULER + " 8786:8786")
                .contains("get secret " + FULLNAME + "-auth")
                .contains("scale deployment " + WORKER);
        assertThat(RenderedChart.notes("ingress-and-monitors.yaml")).contains("https://partita.data.example.org/");
        assertThat(RenderedChart.notes("several-schedulers.yaml")).contains("3 schedulers (one active, 2 standing by)");
        assertThat(RenderedChart.notes("no-auth.yaml")).doesNotContain("PARTITA_AUTH_TOKEN");
    }

    // ---- helpers

    /** A values file of its own for this test, with {@code yaml} in it. */
    private static Path valuesFile(String yaml) {
        try {
            Path file = java.nio.file.Files.createTempFile("values-", ".yaml");
            file.toFile().deleteOnExit();
            return java.nio.file.Files.writeString(file, yaml);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static String clusterSecret(RenderedChart chart) {
        return new String(Base64.getDecoder().decode(chart.get("Secret", CLUSTER_SECRET).path("data").path("secret").asText()),
                StandardCharsets.UTF_8);
    }

    /**
     * The scheduler pods get {@code --cluster-secret-file} pointing at the key {@code key} of Secret {@code secret},
     * mounted read-only; the workers get neither.
     */
    static void assertSchedulersReadTheClusterSecret(RenderedChart chart, String secret, String key) {
        JsonNode scheduler = chart.get("Deployment", SCHEDULER);
        JsonNode container = container(scheduler, "scheduler");
        String file = flag(container, "--cluster-secret-file").orElseThrow();
        JsonNode mount = null;
        for (JsonNode m : container.path("volumeMounts")) {
            if (file.startsWith(m.path("mountPath").asText() + "/")) {
                mount = m;
            }
        }
        assertThat(mount).as(file + " is on a volume").isNotNull();
        assertThat(mount.path("readOnly").asBoolean()).isTrue();
        JsonNode source = volume(scheduler, mount.path("name").asText()).path("secret");
        assertThat(source.path("secretName").asText()).isEqualTo(secret);
        assertThat(source.path("items")).hasSize(1);
        assertThat(source.path("items").get(0).path("key").asText()).isEqualTo(key);
        assertThat(mount.path("mountPath").asText() + "/" + source.path("items").get(0).path("path").asText()).isEqualTo(file);
        if (chart.find("Secret", secret).isPresent()) {
            assertThat(chart.get("Secret", secret).path("data").has(key)).as(secret + " has " + key).isTrue();
        }
        JsonNode worker = chart.get("Deployment", WORKER);
        assertThat(args(container(worker, "worker"))).doesNotContain("--cluster-secret-file");
        for (JsonNode v : worker.path("spec").path("template").path("spec").path("volumes")) {
            assertThat(v.has("secret")).as("a worker mounts no Secret").isFalse();
        }
    }

    private static Map<String, Integer> servicePorts(JsonNode service) {
        Map<String, Integer> ports = new java.util.HashMap<>();
        service.path("spec").path("ports").forEach(p -> ports.put(p.path("name").asText(), p.path("port").asInt()));
        return ports;
    }

    private static JsonNode volume(JsonNode workload, String name) {
        for (JsonNode v : workload.path("spec").path("template").path("spec").path("volumes")) {
            if (name.equals(v.path("name").asText())) {
                return v;
            }
        }
        throw new AssertionError("no volume " + name);
    }

    private static String mountPath(JsonNode container, String volume) {
        for (JsonNode m : container.path("volumeMounts")) {
            if (volume.equals(m.path("name").asText())) {
                return m.path("mountPath").asText();
            }
        }
        throw new AssertionError("volume " + volume + " is not mounted");
    }

    private static int probedPort(JsonNode container, String probe) {
        JsonNode port = container.path(probe).path("httpGet").path("port");
        assertThat(container.path(probe).path("httpGet").path("path").asText()).isEqualTo("/health");
        return port.isInt() ? port.asInt() : containerPort(container, port.asText());
    }
}
