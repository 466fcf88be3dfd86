package io.partita.common.table;

import java.io.Serializable;
import java.util.List;

/** What a worker found at a Parquet path: the files (sorted), their row groups, and the schema they share. */
public record ParquetDataset(String pathOrGlob, List<Column> columns, List<ParquetFile> files) implements Serializable {
    public ParquetDataset {
        columns = List.copyOf(columns);
        files = List.copyOf(files);
    }

    /** A column: its name and its DuckDB type ({@code BIGINT}, {@code VARCHAR}, {@code DECIMAL(12,2)}, ...). */
    public record Column(String name, String type) implements Serializable {}

    public record ParquetFile(String path, List<RowGroup> rowGroups) implements Serializable {
        public ParquetFile {
            rowGroups = List.copyOf(rowGroups);
        }
    }

    /** @param rowStart the group's first row in its file; @param bytes its uncompressed size */
    public record RowGroup(int index, long rowStart, long rows, long bytes) implements Serializable {}
}
