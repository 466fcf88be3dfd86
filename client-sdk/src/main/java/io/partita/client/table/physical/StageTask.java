package io.partita.client.table.physical;

import io.partita.common.table.TableStage;
import java.util.List;

/**
 * One task of a physical plan: its key, its stage, and the keys of the partitions it reads, in order. A task of user
 * Java code ({@code mapPartitions}) has no stage but a task function {@code fn} of its one input partition.
 */
public record StageTask(String key, TableStage stage, List<String> inputs, Object fn) {
    public StageTask(String key, TableStage stage, List<String> inputs) {
        this(key, stage, inputs, null);
    }

    /** A task running {@code fn} over the partition {@code input}. */
    public static StageTask java(String key, Object fn, String input) {
        return new StageTask(key, null, List.of(input), fn);
    }

    public StageTask {
        inputs = List.copyOf(inputs);
        if ((stage == null) == (fn == null)) {
            throw new IllegalArgumentException("task " + key + " needs a stage or a function, one of them");
        }
        if (fn != null && inputs.size() != 1) {
            throw new IllegalArgumentException("the function task " + key + " reads one partition, not " + inputs.size());
        }
        if (stage != null && inputs.size() != stage.tableArgs()) {
            throw new IllegalArgumentException("task " + key + " reads " + stage.tableArgs() + " partitions, not "
                    + inputs.size());
        }
    }
}
