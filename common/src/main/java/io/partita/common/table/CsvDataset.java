package io.partita.common.table;

import java.io.Serializable;
import java.util.List;

/**
 * What a worker found at a CSV path: the files (sorted) with their sizes, and the format to read them with, its
 * columns and date formats settled (given, or detected on the first file).
 */
public record CsvDataset(String pathOrGlob, CsvFormat format, List<CsvFile> files) implements Serializable {
    public CsvDataset {
        files = List.copyOf(files);
        if (format.columns().isEmpty()) {
            throw new IllegalArgumentException("a CSV dataset needs its columns settled");
        }
    }

    public record CsvFile(String path, long bytes) implements Serializable {}
}
