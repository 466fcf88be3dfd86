package io.partita.scheduler.dashboard;

import io.partita.common.task.Keys;
import io.partita.scheduler.state.TaskState;
import io.partita.scheduler.state.Transition;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * The task graph of the recent computations, from the transitions: the tasks the scheduler knows, and those of the
 * same computations already forgotten (shown as done). When the scheduler had forgotten every task, the next new
 * task starts a new picture. Up to {@link #MAX_DRAWN} tasks the picture keeps each task; beyond, it keeps only its
 * task groups and the edges between them (their counts by state come from {@link TaskGroups}), so that neither the
 * page nor the scheduler's memory grows with the number of tasks.
 */
final class TaskGraph {
    static final int MAX_DRAWN = 1_000;

    private static final class Node {
        final String key;
        final String group;
        final List<String> deps;
        String state;
        boolean wasInMemory;

        Node(String key, String group, List<String> deps) {
            this.key = key;
            this.group = group;
            this.deps = deps;
        }
    }

    private final Function<String, List<String>> dependencies;
    private final Map<String, Node> nodes = new LinkedHashMap<>();
    /** Groups of the picture, in order of appearance, and the edges between them: from, to, task edges. */
    private final Set<String> groups = new LinkedHashSet<>();
    private final Map<String, Map<String, Integer>> groupEdges = new LinkedHashMap<>();
    private boolean byGroup;
    private int live;
    private int tasks;
    /** Changes when tasks come or go (the page lays the graph out again), not when one changes state. */
    private long version;

    /** @param dependencies the dependencies of a task the scheduler knows (asked when the task is created) */
    TaskGraph(Function<String, List<String>> dependencies) {
        this.dependencies = dependencies;
    }

    void on(Transition t) {
        if (t.from() == TaskState.FORGOTTEN) {
            added(t);
            return;
        }
        if (t.to() == TaskState.FORGOTTEN) {
            live--;
        }
        Node n = byGroup ? null : nodes.get(t.key());
        if (n == null) {
            return;
        }
        switch (t.to()) {
            case MEMORY -> {
                n.wasInMemory = true;
                n.state = "memory";
            }
            case WAITING -> {
                n.wasInMemory = false; // computed again (its holder was lost)
                n.state = "waiting";
            }
            // its result was made and let go: kept only as lineage, or forgotten
            case RELEASED, FORGOTTEN -> n.state = n.wasInMemory ? "done" : t.to() == TaskState.RELEASED ? "released" : "forgotten";
            default -> n.state = t.to().name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    private void added(Transition t) {
        if (live == 0 && tasks > 0) { // everything before was forgotten: a new picture
            nodes.clear();
            groups.clear();
            groupEdges.clear();
            byGroup = false;
            tasks = 0;
        }
        live++;
        tasks++;
        version++;
        String group = Keys.group(t.key());
        groups.add(group);
        List<String> deps = dependencies.apply(t.key());
        for (String d : deps) {
            groupEdges.computeIfAbsent(Keys.group(d), g -> new LinkedHashMap<>()).merge(group, 1, Integer::sum);
        }
        if (!byGroup && nodes.size() >= MAX_DRAWN) {
            byGroup = true;
            nodes.clear();
        }
        if (!byGroup) {
            Node n = new Node(t.key(), group, deps);
            n.state = "released";
            nodes.put(t.key(), n); // a key computed again replaces its forgotten node
        }
    }

    /** @param progress the groups' counts by state, for a picture drawn by group */
    JsonObject json(TaskGroups progress) {
        JsonObject out = new JsonObject().put("version", version).put("tasks", tasks);
        if (!byGroup) {
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
            return out.put("mode", "tasks").put("tasks", nodes.size()).put("nodes", list).put("edges", edges);
        }
        JsonArray list = new JsonArray();
        for (String g : groups) {
            TaskGroups.Group counts = progress.group(g);
            if (counts != null) {
                list.add(new JsonObject().put("name", g).put("counts", new JsonObject().put("done", counts.done())
                        .put("memory", counts.memory).put("erred", counts.erred).put("processing", counts.processing)
                        .put("waiting", counts.waiting).put("released", counts.released - counts.releasedDone)));
            }
        }
        JsonArray edges = new JsonArray();
        groupEdges.forEach((from, tos) -> tos.forEach((to, n) -> edges.add(new JsonArray().add(from).add(to).add(n))));
        return out.put("mode", "groups").put("groups", list).put("edges", edges);
    }
}
