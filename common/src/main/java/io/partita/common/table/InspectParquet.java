package io.partita.common.table;

import java.util.Objects;

/**
 * Reads the metadata of a Parquet file, folder or glob on a worker (the paths are paths workers can read, which the
 * client may not): the task's value is a {@link ParquetDataset}.
 */
public record InspectParquet(String pathOrGlob) implements TableTask {
    public InspectParquet {
        Objects.requireNonNull(pathOrGlob, "pathOrGlob");
        if (pathOrGlob.isBlank()) {
            throw new IllegalArgumentException("the Parquet path is empty");
        }
    }
}
