package io.partita.client.table.physical;

import io.partita.common.table.TableStage;
import java.util.List;

/** One task of a physical plan: its key, its stage, and the keys of the partitions it reads, in order. */
public record StageTask(String key, TableStage stage, List<String> inputs) {
    public StageTask {
        inputs = List.copyOf(inputs);
        if (inputs.size() != stage.tableArgs()) {
            throw new IllegalArgumentException("task " + key + " reads " + stage.tableArgs() + " partitions, not "
                    + inputs.size());
        }
    }
}
