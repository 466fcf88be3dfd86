package io.partita.common.table;

import java.util.List;
import java.util.Objects;

/**
 * One task of a table plan: a DuckDB query over named inputs, and where its result goes.
 *
 * @param sql    one {@code SELECT} that reads its inputs by their names ({@code in0}, {@code in1}, ...); the engine
 *               binds each name to a relation before running it
 * @param inputs the relations the query reads; {@link StageInput.Tables} take the task's partition arguments in order
 * @param output an Arrow table (a partition) or a Parquet file
 */
public record TableStage(String sql, List<StageInput> inputs, StageOutput output) implements TableTask {
    public TableStage {
        Objects.requireNonNull(sql, "sql");
        inputs = List.copyOf(inputs);
        Objects.requireNonNull(output, "output");
        for (StageInput in : inputs) {
            if (!in.name().matches("[a-z][a-z0-9_]*")) {
                throw new IllegalArgumentException("input name '" + in.name() + "' is not a plain lower-case identifier");
            }
        }
    }

    /** How many partition arguments the stage reads. */
    public int tableArgs() {
        return inputs.stream().mapToInt(in -> in instanceof StageInput.Tables t ? t.count() : 0).sum();
    }
}
