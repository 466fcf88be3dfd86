package io.partita.helm;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A container of a rendered pod template run as a local process, the way the kubelet would run it: the image's
 * entry point (docker/partita-docker-entrypoint) with its arguments (the first names a bin/ launcher on the PATH), its environment resolved as the
 * kubelet resolves it (pod IP, Secret keys, resource limits), its emptyDir volumes as folders and its Secret volumes
 * as read-only folders holding the rendered Secret's keys as files. Pods here share
 * the host's network namespace, with 127.0.0.1 as pod IP: they listen there instead of on 0.0.0.0, and a second pod
 * of one Deployment is given other ports ({@code flagValues}).
 */
final class ChartPod {
    private static final Path BIN = Path.of("..", "bin").toAbsolutePath().normalize();
    private static final Path ENTRYPOINT = Path.of("..", "docker", "partita-docker-entrypoint").toAbsolutePath().normalize();

    private ChartPod() {}

    /**
     * Starts the container {@code container} of {@code workload} with pod IP {@code podIp}, volumes under
     * {@code volumes}, the rendered chart's Secrets, {@code javaOpts} (the test's name resolution) and the values of
     * the flags in {@code flagValues} replaced.
     */
    static Process start(RenderedChart chart, JsonNode workload, String container, String podIp, Path volumes,
                         String javaOpts, Map<String, String> flagValues, Path log) throws IOException {
        return start(chart, workload, container, podIp, volumes, javaOpts, flagValues, Map.of(), log);
    }

    /**
     * As {@link #start(RenderedChart, JsonNode, String, String, Path, String, Map, Path)}, with Secrets that exist in
     * the cluster besides the chart's: {@code secrets} maps their names to their keys' contents (what cert-manager
     * writes for a Certificate, or a Secret the user made).
     */
    static Process start(RenderedChart chart, JsonNode workload, String container, String podIp, Path volumes,
                         String javaOpts, Map<String, String> flagValues, Map<String, Map<String, byte[]>> secrets,
                         Path log) throws IOException {
        return start(chart, workload, container, podIp, volumes, javaOpts, flagValues, secrets, true, log);
    }

    /** The launcher alone, without the image's entry point (which gives a lone scheduler a cluster secret of its own). */
    static Process startLauncher(RenderedChart chart, JsonNode workload, String container, String podIp, Path volumes,
                                 String javaOpts, Map<String, String> flagValues, Path log) throws IOException {
        return start(chart, workload, container, podIp, volumes, javaOpts, flagValues, Map.of(), false, log);
    }

    private static Process start(RenderedChart chart, JsonNode workload, String container, String podIp, Path volumes,
                                 String javaOpts, Map<String, String> flagValues, Map<String, Map<String, byte[]>> secrets,
                                 boolean entrypoint, Path log) throws IOException {
        JsonNode c = RenderedChart.container(workload, container);
        List<String> args = new ArrayList<>(RenderedChart.args(c));
        Map<String, String> mounts = new LinkedHashMap<>();
        for (JsonNode m : c.path("volumeMounts")) {
            Path dir = Files.createDirectories(volumes.resolve(m.path("name").asText()));
            JsonNode volume = volume(workload, m.path("name").asText());
            if (volume.has("secret")) {
                writeSecret(chart, secrets, volume.path("secret"), dir);
            } else if (!volume.has("emptyDir")) {
                throw new AssertionError("cannot mount volume " + volume + ": only emptyDir and secret volumes are played here");
            }
            mounts.put(m.path("mountPath").asText(), dir.toString());
        }
        List<String> command = new ArrayList<>();
        if (entrypoint) {
            command.add("bash");
            command.add(ENTRYPOINT.toString()); // the image's entry point, then the launcher on its PATH
        }
        command.add(entrypoint ? args.removeFirst() : BIN.resolve(args.removeFirst()).toString());
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            String flag = i > 0 ? args.get(i - 1) : "";
            if (a.equals("0.0.0.0") && flag.equals("--listen-address")) {
                a = podIp; // a pod's 0.0.0.0 is its own network namespace; here the host's is shared
            }
            a = flagValues.getOrDefault(flag, a);
            for (Map.Entry<String, String> mount : mounts.entrySet()) {
                if (a.equals(mount.getKey()) || a.startsWith(mount.getKey() + "/")) {
                    a = mount.getValue() + a.substring(mount.getKey().length());
                    break;
                }
            }
            command.add(a);
        }
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().putAll(env(chart, c, podIp));
        builder.environment().put("PATH", BIN + ":" + System.getenv("PATH")); // the image's PATH has the bin/ launchers
        builder.environment().put("PARTITA_JAVA_OPTS", javaOpts);
        return builder.start();
    }

    private static JsonNode volume(JsonNode workload, String name) {
        for (JsonNode v : workload.path("spec").path("template").path("spec").path("volumes")) {
            if (name.equals(v.path("name").asText())) {
                return v;
            }
        }
        throw new AssertionError("volume " + name + " is mounted but not declared in " + workload.path("metadata").path("name").asText());
    }

    /**
     * A Secret volume as the kubelet fills it: the keys listed in {@code items} (every key without items) of the
     * rendered Secret, each a read-only file named by its path. (The folder stays writable, so that the test's
     * temporary folder can be removed.)
     */
    private static void writeSecret(RenderedChart chart, Map<String, Map<String, byte[]>> secrets, JsonNode source, Path dir)
            throws IOException {
        String name = source.path("secretName").asText();
        Map<String, byte[]> data = new LinkedHashMap<>();
        if (secrets.containsKey(name)) {
            data.putAll(secrets.get(name));
        } else {
            chart.find("Secret", name).orElseThrow(() -> new AssertionError("the pod mounts Secret " + name
                            + ", which neither the chart renders nor the test made (an existing Secret: give a value set that lets the chart create it)"))
                    .path("data").properties().forEach(e -> data.put(e.getKey(), Base64.getDecoder().decode(e.getValue().asText())));
        }
        Map<String, String> files = new LinkedHashMap<>();
        if (source.has("items")) {
            for (JsonNode item : source.path("items")) {
                files.put(item.path("key").asText(), item.path("path").asText());
            }
        } else {
            data.keySet().forEach(k -> files.put(k, k));
        }
        for (Map.Entry<String, String> f : files.entrySet()) {
            if (!data.containsKey(f.getKey())) {
                throw new AssertionError("Secret " + name + " has no key " + f.getKey()); // the kubelet would not start the pod
            }
            Path file = dir.resolve(f.getValue());
            Files.deleteIfExists(file); // a pod started again on the same folders
            Files.write(file, data.get(f.getKey()));
            Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("r--------"));
        }
    }

    /** The container's environment as the kubelet sets it. */
    static Map<String, String> env(RenderedChart chart, JsonNode container, String podIp) {
        Map<String, String> env = new LinkedHashMap<>();
        for (JsonNode e : container.path("env")) {
            String name = e.path("name").asText();
            JsonNode from = e.path("valueFrom");
            if (e.has("value")) {
                env.put(name, e.path("value").asText());
            } else if (from.path("fieldRef").path("fieldPath").asText().equals("status.podIP")) {
                env.put(name, podIp);
            } else if (from.has("secretKeyRef")) {
                JsonNode ref = from.path("secretKeyRef");
                String encoded = chart.get("Secret", ref.path("name").asText()).path("data").path(ref.path("key").asText()).asText();
                env.put(name, new String(Base64.getDecoder().decode(encoded), StandardCharsets.UTF_8));
            } else if (from.has("resourceFieldRef")) {
                JsonNode ref = from.path("resourceFieldRef");
                String[] resource = ref.path("resource").asText().split("\\.", 2); // limits.cpu
                String quantity = container.path("resources").path(resource[0]).path(resource[1]).asText();
                if (quantity.isEmpty()) {
                    throw new AssertionError(name + " needs " + ref.path("resource").asText() + ", which the container does not set");
                }
                BigDecimal divisor = quantity(ref.path("divisor").asText("1"));
                env.put(name, quantity(quantity).divide(divisor, 0, RoundingMode.CEILING).toPlainString());
            } else {
                throw new AssertionError("cannot resolve env " + name + ": " + e);
            }
        }
        return env;
    }

    /** A Kubernetes quantity: 500m, 2, 4Gi, 512Mi, 1G. */
    static BigDecimal quantity(String q) {
        String[][] suffixes = {{"Ki", "1024"}, {"Mi", "1048576"}, {"Gi", "1073741824"}, {"Ti", "1099511627776"},
                {"m", "0.001"}, {"k", "1000"}, {"M", "1000000"}, {"G", "1000000000"}, {"T", "1000000000000"}};
        for (String[] s : suffixes) {
            if (q.endsWith(s[0])) {
                return new BigDecimal(q.substring(0, q.length() - s[0].length())).multiply(new BigDecimal(s[1]));
            }
        }
        return new BigDecimal(q);
    }
}
