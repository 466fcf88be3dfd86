package io.partita.client.table.physical;

import java.util.List;
import java.util.Map;

/**
 * The tasks of a plan, each after the tasks it reads, and the keys whose values are the plan's result, in order.
 * {@code stages} describes the tasks for {@code explain()}: one line per stage, with its SQL. {@code external}
 * are the keys tasks read that no task of this plan makes (persisted partitions), with their handles.
 */
public record PhysicalPlan(List<StageTask> tasks, List<String> outputs, List<Stage> stages, Map<String, Object> external) {
    public PhysicalPlan {
        external = Map.copyOf(external);
        tasks = List.copyOf(tasks);
        outputs = List.copyOf(outputs);
        stages = List.copyOf(stages);
    }

    /** A group of tasks that run the same query over different partitions. */
    public record Stage(String name, int tasks, String sql) {}

    public String explain() {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < stages.size(); i++) {
            Stage s = stages.get(i);
            out.append("Stage ").append(i + 1).append(": ").append(s.name()).append(" (").append(s.tasks())
                    .append(s.tasks() == 1 ? " task" : " tasks").append(")\n    ").append(s.sql()).append('\n');
        }
        return out.toString();
    }
}
