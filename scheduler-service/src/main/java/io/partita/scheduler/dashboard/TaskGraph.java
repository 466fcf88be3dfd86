package io.partita.scheduler.dashboard;

import io.partita.common.task.Keys;
import io.partita.scheduler.state.TaskState;
import io.partita.scheduler.state.Transition;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The task graph of the recent computations: the tasks the scheduler knows, and those of the same computations
 * already forgotten (shown as done), from the transitions. When the scheduler had forgotten every task, the next
 * new task starts a new picture. Up to {@link #MAX_DRAWN} tasks the page draws each task; above, it draws the task
 * groups with their counts by state, so that the page stays responsive.
 */
final class TaskGraph {
    static final int MAX_DRAWN = 1_000;
    /** Forgotten tasks beyond this many nodes are dropped, oldest first. */
    static final int MAX_KEPT = 200_000;

    private static final class Node {
        final String key;
        final String group;
        final List<String> deps;
        String state;
        boolean wasInMemory;

        Node(String key, List<String> deps) {
            this.key = key;
            this.group = Keys.group(key);
            this.deps = deps;
        }
    }

    private final Map<String, Node> nodes = new LinkedHashMap<>();
    private final Function<String, List<String>> dependencies;
    private int live;
    /** Changes when a task is added or dropped (the page lays the graph out again), not when one changes state. */
    private long version;
    private JsonObject groupEdgesCache;
    private long groupEdgesVersion = -1;

    /** @param dependencies the dependencies of a task the scheduler knows (asked when the task is created) */
    TaskGraph(Function<String, List<String>> dependencies) {
        this.dependencies = dependencies;
    }

    void on(Transition t) {
        if (t.from() == TaskState.FORGOTTEN) {
            if (live == 0 && !nodes.isEmpty()) {
                nodes.clear();
            }
            Node n = new Node(t.key(), dependencies.apply(t.key()));
            n.state = name(t.to());
            nodes.put(t.key(), n); // a key computed again replaces its forgotten node
            live++;
            version++;
            return;
        }
        Node n = nodes.get(t.key());
        if (n == null) {
            return;
        }
        if (t.to() == TaskState.MEMORY) {
            n.wasInMemory = true;
        } else if (t.to() == TaskState.WAITING) {
            n.wasInMemory = false; // computed again (its holder was lost)
        }
        if (t.to() == TaskState.FORGOTTEN) {
            n.state = n.wasInMemory ? "done" : "forgotten";
            live--;
            if (nodes.size() > MAX_KEPT) {
                dropForgotten(nodes.size() - MAX_KEPT);
            }
        } else if (t.to() == TaskState.RELEASED && n.wasInMemory) {
            n.state = "done"; // its result was made and let go: kept only as lineage
        } else {
            n.state = name(t.to());
        }
    }

    private void dropForgotten(int n) {
        int dropped = 0;
        for (Iterator<Node> it = nodes.values().iterator(); it.hasNext() && dropped < n; ) {
            Node node = it.next();
            if ("done".equals(node.state) || "forgotten".equals(node.state)) {
                it.remove();
                dropped++;
            }
        }
        version++;
    }

    private static String name(TaskState s) {
        return s.name().toLowerCase(java.util.Locale.ROOT);
    }

    JsonObject json() {
        JsonObject out = new JsonObject().put("version", version).put("tasks", nodes.size());
        if (nodes.size() <= MAX_DRAWN) {
            Map<String, Integer> index = new HashMap<>();
            JsonArray list = new JsonArray();
            JsonArray edges = new JsonArray();
            for (Node n : nodes.values()) {
                index.put(n.key, index.size());
                list.add(new JsonArray().add(n.key).add(n.group).add(n.state));
            }
            for (Node n : nodes.values()) {
                for (String d : n.deps) {
                    Integer from = index.get(d);
                    if (from != null) {
                        edges.add(new JsonArray().add(from).add(index.get(n.key)));
                    }
                }
            }
            return out.put("mode", "tasks").put("nodes", list).put("edges", edges);
        }
        Map<String, Map<String, Integer>> byGroup = new LinkedHashMap<>();
        for (Node n : nodes.values()) {
            byGroup.computeIfAbsent(n.group, g -> new LinkedHashMap<>()).merge(n.state, 1, Integer::sum);
        }
        JsonArray groups = new JsonArray();
        byGroup.forEach((g, counts) -> groups.add(new JsonObject().put("name", g).put("counts", new JsonObject(
                new LinkedHashMap<>(counts)))));
        return out.put("mode", "groups").put("groups", groups).put("edges", groupEdges().getJsonArray("edges"));
    }

    /** Edges between groups with how many task edges each stands for; recomputed only when tasks came or went. */
    private JsonObject groupEdges() {
        if (groupEdgesVersion != version) {
            Map<String, Integer> edges = new LinkedHashMap<>();
            for (Node n : nodes.values()) {
                for (String d : n.deps) {
                    Node from = nodes.get(d);
                    if (from != null) {
                        edges.merge(from.group + "\u0000" + n.group, 1, Integer::sum);
                    }
                }
            }
            JsonArray list = new JsonArray();
            edges.forEach((k, count) -> {
                int sep = k.indexOf('\u0000');
                list.add(new JsonArray().add(k.substring(0, sep)).add(k.substring(sep + 1)).add(count));
            });
            groupEdgesCache = new JsonObject().put("edges", list);
            groupEdgesVersion = version;
        }
        return groupEdgesCache;
    }
}
