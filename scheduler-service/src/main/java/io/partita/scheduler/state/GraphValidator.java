package io.partita.scheduler.state;

import io.partita.common.task.FunctionSpec;
import io.partita.common.task.GraphSpec;
import io.partita.common.task.TaskSpec;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

/** Checks a whole graph before anything changes; the first problem found is returned as a message naming the key. */
final class GraphValidator {
    private final SchedulerLimits limits;
    private final ArtifactCatalog artifacts;

    GraphValidator(SchedulerLimits limits, ArtifactCatalog artifacts) {
        this.limits = limits;
        this.artifacts = artifacts;
    }

    /** @param known keys the scheduler holds now (not forgotten) */
    Optional<String> validate(GraphSpec graph, Predicate<String> known) {
        if (graph.tasks().size() > limits.maxGraphTasks()) {
            return Optional.of("graph has " + graph.tasks().size() + " tasks, over the limit of " + limits.maxGraphTasks()
                    + " (--max-graph-tasks): submit it in smaller parts");
        }
        Map<String, FunctionSpec> functions = new HashMap<>();
        for (FunctionSpec f : graph.functions()) {
            functions.put(f.id(), f);
        }
        Map<String, TaskSpec> tasks = new HashMap<>();
        for (TaskSpec t : graph.tasks()) {
            if (tasks.putIfAbsent(t.key(), t) != null) {
                return Optional.of("duplicate task key " + t.key() + " in the graph: every task needs its own key");
            }
        }
        for (TaskSpec t : graph.tasks()) {
            FunctionSpec f = functions.get(t.function());
            if (f == null) {
                return Optional.of("task " + t.key() + " refers to function " + t.function()
                        + " which is not in the graph's functions");
            }
            for (String sha : f.artifacts()) {
                if (!artifacts.contains(sha)) {
                    return Optional.of("function " + f.name() + " of task " + t.key() + " needs artifact " + sha
                            + " which was not uploaded: upload it first (POST /api/artifacts/" + sha + ")");
                }
            }
            for (String dep : t.dependencies()) {
                if (!tasks.containsKey(dep) && !known.test(dep)) {
                    return Optional.of("task " + t.key() + " depends on unknown key " + dep
                            + ": it is neither in the graph nor held by the scheduler (was it released?)");
                }
            }
        }
        for (String w : graph.wanted()) {
            if (!tasks.containsKey(w) && !known.test(w)) {
                return Optional.of("wanted key " + w + " is neither a task of the graph nor held by the scheduler");
            }
        }
        return findCycle(tasks).map(cycle -> "graph has a cycle: " + String.join(" -> ", cycle));
    }

    /** Iterative depth-first search (graphs can be deep); returns the keys of one cycle, first key repeated last. */
    private static Optional<List<String>> findCycle(Map<String, TaskSpec> tasks) {
        Map<String, Integer> color = new HashMap<>(); // absent: white, 1: on the path, 2: done
        for (String root : tasks.keySet()) {
            if (color.containsKey(root)) {
                continue;
            }
            Deque<String> path = new ArrayDeque<>();
            Deque<Iterator> stack = new ArrayDeque<>();
            color.put(root, 1);
            path.addLast(root);
            stack.push(new Iterator(depsInGraph(tasks, root)));
            while (!stack.isEmpty()) {
                Iterator it = stack.peek();
                if (it.index < it.deps.size()) {
                    String dep = it.deps.get(it.index++);
                    Integer c = color.get(dep);
                    if (c == null) {
                        color.put(dep, 1);
                        path.addLast(dep);
                        stack.push(new Iterator(depsInGraph(tasks, dep)));
                    } else if (c == 1) {
                        List<String> cycle = new ArrayList<>();
                        boolean in = false;
                        for (String k : path) {
                            in |= k.equals(dep);
                            if (in) {
                                cycle.add(k);
                            }
                        }
                        cycle.add(dep);
                        return Optional.of(cycle);
                    }
                } else {
                    stack.pop();
                    color.put(path.removeLast(), 2);
                }
            }
        }
        return Optional.empty();
    }

    private static List<String> depsInGraph(Map<String, TaskSpec> tasks, String key) {
        List<String> deps = tasks.get(key).dependencies();
        if (deps.isEmpty()) {
            return Collections.emptyList();
        }
        Set<String> seen = new HashSet<>();
        List<String> result = new ArrayList<>();
        for (String d : deps) {
            if (tasks.containsKey(d) && seen.add(d)) {
                result.add(d);
            }
        }
        return result;
    }

    private static final class Iterator {
        final List<String> deps;
        int index;

        Iterator(List<String> deps) {
            this.deps = deps;
        }
    }
}
