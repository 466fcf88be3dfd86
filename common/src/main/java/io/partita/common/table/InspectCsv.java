package io.partita.common.table;

import java.util.Objects;

/**
 * Lists the CSV files at a path on a worker (a file, a folder: every {@code *.csv} under it, or a glob) with their
 * sizes, and settles the columns: the format's own, checked by DuckDB, or detected by DuckDB's sniffer on the first
 * file. The task's value is a {@link CsvDataset}. No file is read whole.
 */
public record InspectCsv(String pathOrGlob, CsvFormat format) implements TableTask {
    public InspectCsv {
        Objects.requireNonNull(pathOrGlob, "pathOrGlob");
        Objects.requireNonNull(format, "format");
        if (pathOrGlob.isBlank()) {
            throw new IllegalArgumentException("the CSV path is empty");
        }
    }
}
