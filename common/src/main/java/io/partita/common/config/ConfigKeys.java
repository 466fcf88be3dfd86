package io.partita.common.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The keys a {@code PARTITA_CONFIG} file may hold: a section per command ({@code scheduler:}, {@code worker:},
 * {@code local:}) with that command's options, and options at the top level for every command that has them. A key
 * that is none of these is a typo that would otherwise be ignored in silence: it is refused, naming the nearest
 * known key.
 */
public final class ConfigKeys {
    public static final Set<String> SECTIONS = Set.of("scheduler", "worker", "local");

    /**
     * Every option of partita-scheduler, partita-worker and partita local, without dashes (a test in the launcher
     * module checks this against the three commands).
     */
    public static final Set<String> ALL_OPTIONS = Set.of("allowed-failures", "allowed-hosts", "artifact-dir", "auth-token",
            "auth-token-file", "cluster-name", "cluster-secret-file", "connect-timeout", "dashboard-port", "example",
            "exit", "flight-port", "hazelcast-port", "host", "host-id", "http-port", "join", "listen-address", "log-dir",
            "max-artifact-size", "max-artifact-store", "max-clients", "max-graph-tasks", "max-message-size",
            "max-pending-graphs", "memory-limit", "memory-pause-fraction", "memory-spill-fraction",
            "memory-target-fraction", "memory-terminate-fraction", "metrics-auth", "name", "nanny", "nthreads",
            "nworkers", "peer-transfer", "port", "resources", "shm-dir", "spill-dir", "threads-per-worker", "tls-ca",
            "tls-cert", "tls-client-auth", "tls-key", "tls-protocols", "work-stealing", "worker-timeout", "workers");

    private ConfigKeys() {}

    /**
     * The problems of {@code file}'s keys for {@code command}, whose options are {@code commandOptions}: empty when
     * every key is known. A section's keys are checked against its own command's options when it is this command's,
     * against every option otherwise.
     */
    public static List<String> problems(String file, JsonNode yaml, String command, Collection<String> commandOptions) {
        List<String> problems = new ArrayList<>();
        if (yaml == null || yaml.isNull() || yaml.isMissingNode()) {
            return problems;
        }
        if (!yaml.isObject()) {
            problems.add(file + " is not a map of keys (scheduler:, worker:, local: or options such as auth-token:)");
            return problems;
        }
        for (Map.Entry<String, JsonNode> e : yaml.properties()) {
            String key = e.getKey();
            if (SECTIONS.contains(key)) {
                if (!e.getValue().isObject()) {
                    problems.add(file + ": '" + key + ":' must hold that command's options, one per line");
                    continue;
                }
                Collection<String> known = key.equals(command) ? commandOptions : ALL_OPTIONS;
                for (String option : (Iterable<String>) e.getValue()::fieldNames) {
                    if (!known.contains(option)) {
                        problems.add(file + ": '" + key + "." + option + "' is not an option of partita "
                                + key + nearest(option, known));
                    }
                }
            } else if (!ALL_OPTIONS.contains(key)) {
                List<String> candidates = new ArrayList<>(ALL_OPTIONS);
                candidates.addAll(SECTIONS);
                problems.add(file + ": '" + key + "' is neither an option nor a section (scheduler, worker, local)"
                        + nearest(key, candidates));
            }
        }
        return problems;
    }

    private static String nearest(String key, Collection<String> known) {
        return known.stream().min(Comparator.comparingInt((String k) -> distance(key, k)).thenComparing(k -> k))
                .filter(k -> distance(key, k) <= Math.max(2, key.length() / 3))
                .map(k -> ": did you mean '" + k + "'?").orElse("");
    }

    /** Levenshtein distance. */
    static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int sub = prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                cur[j] = Math.min(sub, Math.min(prev[j] + 1, cur[j - 1] + 1));
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
