package io.partita.common.table;

import java.io.Serializable;
import java.util.Objects;

/** Where a {@link TableStage}'s result goes. */
public sealed interface StageOutput extends Serializable {
    /** The result is the task's value: a partition (an Arrow table) stored as the worker stores any table. */
    record Table() implements StageOutput {}

    /**
     * The result is written to {@code folder/fileName} (a temporary name first, renamed when complete, so a failed
     * task leaves no half file under the final name); the task's value is the number of rows written.
     */
    record ParquetFile(String folder, String fileName) implements StageOutput {
        public ParquetFile {
            Objects.requireNonNull(folder, "folder");
            if (fileName.contains("/") || fileName.startsWith(".")) {
                throw new IllegalArgumentException("file name '" + fileName + "' must be a plain name");
            }
        }
    }
}
