package io.partita.helm;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.InstallCommand;
import com.marcnuri.helm.TemplateCommand;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/** The chart rendered by {@code helm template} (Helm linked into this JVM by helm-java), parsed into its manifests. */
final class RenderedChart {
    static final String RELEASE = "analytics";
    static final String NAMESPACE = "data";
    /** A Kubernetes version the chart supports (helm template assumes an old one otherwise). */
    static final String KUBE_VERSION = "1.31.0";
    private static final YAMLMapper YAML = new YAMLMapper();

    private final List<JsonNode> manifests;

    private RenderedChart(List<JsonNode> manifests) {
        this.manifests = manifests;
    }

    /** helm/partita of this checkout (set by the build; the relative path when run from the module's folder). */
    static Path chartDir() {
        Path dir = Path.of(System.getProperty("partita.chart.dir", "../helm/partita")).toAbsolutePath().normalize();
        assertThat(dir.resolve("Chart.yaml")).as("the chart in " + dir).exists();
        return dir;
    }

    /** A values file of src/test/resources/values. */
    static Path values(String name) {
        try {
            return Path.of(Objects.requireNonNull(RenderedChart.class.getResource("/values/" + name), name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@code helm template analytics helm/partita --namespace data [-f values]}. */
    static RenderedChart render(String... valuesFiles) {
        return renderFiles(java.util.Arrays.stream(valuesFiles).map(RenderedChart::values).toArray(Path[]::new));
    }

    static RenderedChart renderFiles(Path... valuesFiles) {
        TemplateCommand template = new Helm(chartDir()).template().withName(RELEASE).withNamespace(NAMESPACE)
                .withKubeVersion(KUBE_VERSION);
        for (Path file : valuesFiles) {
            template = template.withValuesFile(file);
        }
        return parse(template.call());
    }

    /** NOTES.txt as {@code helm install --dry-run=client} prints it (helm template leaves it out). */
    static String notes(String... valuesFiles) {
        InstallCommand install = new Helm(chartDir()).install().withName(RELEASE).withNamespace(NAMESPACE)
                .withKubeVersion(KUBE_VERSION).clientOnly().dryRun();
        for (String file : valuesFiles) {
            install = install.withValuesFile(values(file));
        }
        String output = install.call().getOutput();
        assertThat(output).contains("NOTES:");
        return output.substring(output.indexOf("NOTES:"));
    }

    static RenderedChart parse(String yaml) {
        List<JsonNode> docs = new ArrayList<>();
        try (MappingIterator<JsonNode> it = YAML.readerFor(JsonNode.class).readValues(yaml)) {
            while (it.hasNext()) {
                JsonNode doc = it.next();
                if (doc != null && !doc.isNull() && !doc.isMissingNode() && doc.size() > 0) {
                    docs.add(doc);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("helm template printed what is not YAML:\n" + yaml, e);
        }
        return new RenderedChart(List.copyOf(docs));
    }

    List<JsonNode> all() {
        return manifests;
    }

    List<JsonNode> ofKind(String kind) {
        return manifests.stream().filter(m -> kind.equals(m.path("kind").asText())).toList();
    }

    Optional<JsonNode> find(String kind, String name) {
        return manifests.stream()
                .filter(m -> kind.equals(m.path("kind").asText()) && name.equals(m.path("metadata").path("name").asText()))
                .findFirst();
    }

    JsonNode get(String kind, String name) {
        return find(kind, name).orElseThrow(() -> new AssertionError("no " + kind + " " + name + " among "
                + manifests.stream().map(m -> m.path("kind").asText() + "/" + m.path("metadata").path("name").asText()).toList()));
    }

    /** The decoded value of {@code key} in the rendered Secret {@code name}. */
    String secretValue(String name, String key) {
        return new String(java.util.Base64.getDecoder().decode(get("Secret", name).path("data").path(key).asText()),
                java.nio.charset.StandardCharsets.UTF_8);
    }

    /** The one container of a workload's pod template. */
    static JsonNode container(JsonNode workload, String name) {
        for (JsonNode c : workload.path("spec").path("template").path("spec").path("containers")) {
            if (name.equals(c.path("name").asText())) {
                return c;
            }
        }
        throw new AssertionError("no container " + name + " in " + workload.path("metadata").path("name").asText());
    }

    static List<String> args(JsonNode container) {
        List<String> args = new ArrayList<>();
        container.path("args").forEach(a -> args.add(a.asText()));
        return args;
    }

    /** The value following {@code flag} in a container's arguments. */
    static Optional<String> flag(JsonNode container, String flag) {
        List<String> args = args(container);
        int i = args.indexOf(flag);
        return i < 0 || i + 1 >= args.size() ? Optional.empty() : Optional.of(args.get(i + 1));
    }

    static Optional<JsonNode> env(JsonNode container, String name) {
        for (JsonNode e : container.path("env")) {
            if (name.equals(e.path("name").asText())) {
                return Optional.of(e);
            }
        }
        return Optional.empty();
    }

    /** The number of the container port with this name. */
    static int containerPort(JsonNode container, String name) {
        for (JsonNode p : container.path("ports")) {
            if (name.equals(p.path("name").asText())) {
                return p.path("containerPort").asInt();
            }
        }
        throw new AssertionError("no port named " + name + " in container " + container.path("name").asText());
    }

    /** Whether every label of {@code selector} is among {@code labels} (a Service or monitor selecting pods). */
    static boolean selects(JsonNode selector, JsonNode labels) {
        assertThat(selector.size()).as("an empty selector selects everything").isPositive();
        for (Map.Entry<String, JsonNode> e : selector.properties()) {
            if (!e.getValue().asText().equals(labels.path(e.getKey()).asText(null))) {
                return false;
            }
        }
        return true;
    }

    static JsonNode podLabels(JsonNode workload) {
        return workload.path("spec").path("template").path("metadata").path("labels");
    }
}
