package io.partita.client;

import java.util.List;
import java.util.Map;

/**
 * Per-task options: an exact key or a key prefix (the task group), retries, priority (higher first), abstract
 * resources (e.g. {@code GPU=1}) and the workers (ids or names) allowed to run it.
 */
public record SubmitOptions(String key, String prefix, int retries, int priority, Map<String, Double> resources,
                            List<String> workers) {
    public static final SubmitOptions DEFAULTS = new SubmitOptions(null, null, 0, 0, Map.of(), List.of());

    public SubmitOptions {
        resources = resources == null ? Map.of() : Map.copyOf(resources);
        workers = workers == null ? List.of() : List.copyOf(workers);
        if (retries < 0) {
            throw new IllegalArgumentException("retries must not be negative");
        }
    }

    public static SubmitOptions defaults() {
        return DEFAULTS;
    }

    /** An exact key (only for a single task; {@code map} ignores it in favour of the prefix). */
    public SubmitOptions key(String key) {
        return new SubmitOptions(key, prefix, retries, priority, resources, workers);
    }

    public SubmitOptions prefix(String prefix) {
        return new SubmitOptions(key, prefix, retries, priority, resources, workers);
    }

    public SubmitOptions retries(int retries) {
        return new SubmitOptions(key, prefix, retries, priority, resources, workers);
    }

    public SubmitOptions priority(int priority) {
        return new SubmitOptions(key, prefix, retries, priority, resources, workers);
    }

    public SubmitOptions resources(Map<String, Double> resources) {
        return new SubmitOptions(key, prefix, retries, priority, resources, workers);
    }

    public SubmitOptions workers(List<String> workers) {
        return new SubmitOptions(key, prefix, retries, priority, resources, workers);
    }
}
