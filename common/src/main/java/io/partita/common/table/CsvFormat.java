package io.partita.common.table;

import java.io.Serializable;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * How to read a CSV file, as DuckDB's {@code read_csv} takes it: the worker's side of the client's {@code CsvOptions}.
 *
 * @param header          whether each file's first line names the columns (and is skipped)
 * @param delimiter       between fields (1 to 4 bytes, DuckDB's limit)
 * @param quote           around a field that holds a delimiter; empty for none
 * @param escape          before a quote inside a quoted field (by default the quote itself: {@code ""})
 * @param nullStrings     fields read as {@code NULL}
 * @param dateFormat      a {@code strptime} format for {@code DATE} columns, or null for ISO dates (or detected)
 * @param timestampFormat the same for {@code TIMESTAMP} columns
 * @param columns         every column in file order with its DuckDB type (the record a Parquet dataset's columns
 *                        use); empty when they are to be detected (only in an {@link InspectCsv}: a stage always
 *                        reads with the columns the inspection settled)
 * @param types           with detection, types that override the detected ones, by column name
 */
public record CsvFormat(boolean header, String delimiter, String quote, String escape, List<String> nullStrings,
                        String dateFormat, String timestampFormat, List<ParquetDataset.Column> columns,
                        Map<String, String> types) implements Serializable {
    public CsvFormat {
        Objects.requireNonNull(delimiter, "delimiter");
        Objects.requireNonNull(quote, "quote");
        Objects.requireNonNull(escape, "escape");
        nullStrings = List.copyOf(nullStrings);
        columns = List.copyOf(columns);
        types = Map.copyOf(types);
        if (!columns.isEmpty() && !types.isEmpty()) {
            throw new IllegalArgumentException("give either every column with its type or types to override detected "
                    + "ones, not both");
        }
    }

    /**
     * Whether DuckDB decompresses the file as it reads it (by its name, as DuckDB decides): such a file is one
     * partition, read whole, since a byte range of compressed data is no range of lines.
     */
    public static boolean compressed(String path) {
        return path.endsWith(".gz") || path.endsWith(".zst");
    }

    /** The same format with the columns (and date formats) an inspection settled. */
    public CsvFormat withColumns(List<ParquetDataset.Column> settled, String dates, String timestamps) {
        return new CsvFormat(header, delimiter, quote, escape, nullStrings, dates, timestamps, settled, Map.of());
    }
}
