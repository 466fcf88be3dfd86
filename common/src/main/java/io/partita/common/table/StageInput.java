package io.partita.common.table;

import java.io.Serializable;
import java.util.List;
import java.util.Objects;

/** A relation a {@link TableStage} reads, by name. */
public sealed interface StageInput extends Serializable {
    String name();

    /**
     * Row groups of one Parquet file, read by the worker's DuckDB itself (it skips row groups by their statistics
     * when the query filters). The groups are contiguous: rows {@code [rowStart, rowEnd)} of the file.
     *
     * @param columns the columns read (projection pushed into the reader); empty reads none (e.g. for a count)
     */
    record Parquet(String name, String file, int firstRowGroup, int rowGroups, long rowStart, long rowEnd,
                   List<String> columns) implements StageInput {
        public Parquet {
            Objects.requireNonNull(file, "file");
            columns = List.copyOf(columns);
            if (rowStart < 0 || rowEnd < rowStart) {
                throw new IllegalArgumentException("bad row range [" + rowStart + ", " + rowEnd + ") of " + file);
            }
        }
    }

    /** The next {@code count} partition arguments of the task, concatenated (one schema). */
    record Tables(String name, int count) implements StageInput {
        public Tables {
            if (count < 1) {
                throw new IllegalArgumentException("input " + name + " needs at least one partition");
            }
        }
    }
}
