package io.partita.scheduler.state;

import io.partita.common.task.TaskSpec;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The order in which a graph's tasks should run when several are ready: one that frees memory early, after the idea
 * of {@code dask.order}. Tasks come out in the post-order of a depth-first walk from the graph's outputs (tasks no
 * other task of the graph needs, in submission order), each task's dependencies in argument order. So a branch is
 * finished, and its inputs can be released, before the next is started: in a tree reduction each sum follows its
 * two leaves instead of waiting for every leaf. Independent tasks keep their submission order.
 */
final class GraphOrder {
    private GraphOrder() {}

    /** {@code specs} (new tasks of one graph; dependencies outside it are ignored) in the order they should run. */
    static List<TaskSpec> order(List<TaskSpec> specs) {
        Map<String, TaskSpec> byKey = new HashMap<>(specs.size() * 2);
        specs.forEach(s -> byKey.put(s.key(), s));
        Set<String> needed = new HashSet<>();
        for (TaskSpec s : specs) {
            for (String d : s.dependencies()) {
                if (byKey.containsKey(d)) {
                    needed.add(d);
                }
            }
        }
        List<TaskSpec> out = new ArrayList<>(specs.size());
        Set<String> visited = new HashSet<>(specs.size() * 2);
        // iterative: graphs may be chains of a million tasks
        ArrayDeque<Frame> stack = new ArrayDeque<>();
        for (TaskSpec root : specs) {
            if (needed.contains(root.key()) || !visited.add(root.key())) {
                continue;
            }
            stack.push(new Frame(root));
            while (!stack.isEmpty()) {
                Frame top = stack.peek();
                TaskSpec next = null;
                while (top.deps.hasNext()) {
                    TaskSpec d = byKey.get(top.deps.next());
                    if (d != null && visited.add(d.key())) {
                        next = d;
                        break;
                    }
                }
                if (next != null) {
                    stack.push(new Frame(next));
                } else {
                    out.add(stack.pop().spec);
                }
            }
        }
        return out;
    }

    private static final class Frame {
        final TaskSpec spec;
        final Iterator<String> deps;

        Frame(TaskSpec spec) {
            this.spec = spec;
            this.deps = spec.dependencies().iterator();
        }
    }
}
