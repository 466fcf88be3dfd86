package io.partita.client;

import io.partita.client.table.expr.DataType;
import io.partita.client.table.expr.PlanException;
import io.partita.client.table.expr.TableSchema;
import io.partita.client.table.plan.Scans;
import io.partita.common.table.CsvFormat;
import io.partita.common.table.ParquetDataset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SequencedMap;

/**
 * How {@link Client#readCsv} reads CSV files, as the arguments of Dask's {@code dd.read_csv}. Start from
 * {@link #defaults()}: a header line, {@code ','} between fields, {@code '"'} around fields (doubled inside one),
 * empty fields as nulls, ISO dates, column types detected by DuckDB's sniffer on the first file, partitions of
 * 128 MiB of text. A combination that cannot work fails here (or at {@code readCsv}, for a type DuckDB does not
 * know) with a {@link PlanException}, before anything is read.
 *
 * @param header          each file's first line names the columns and is skipped ({@code header=})
 * @param delimiter       between fields, 1 to 4 characters ({@code sep=})
 * @param quote           around a field holding the delimiter, one character or empty for none ({@code quotechar=})
 * @param escape          before a quote inside a quoted field, one character or empty ({@code escapechar=})
 * @param nullStrings     fields read as nulls, at least one ({@code na_values=})
 * @param dateFormat      a {@code strptime} format for {@code DATE} columns ({@code %d/%m/%Y}), or null for ISO or detected
 * @param timestampFormat the same for {@code TIMESTAMP} columns
 * @param columns         every column in file order with its type (no detection; names override the header's), or empty
 * @param types           types overriding detected ones, by name ({@code dtype=}); empty when {@code columns} is given
 * @param partitionBytes  bytes of text per partition ({@code blocksize=})
 * @param splitFiles      false: one partition per file, for files whose quoted fields hold line breaks ({@code blocksize=None})
 */
public record CsvOptions(boolean header, String delimiter, String quote, String escape, List<String> nullStrings,
                         String dateFormat, String timestampFormat, List<TableSchema.Field> columns,
                         Map<String, DataType> types, long partitionBytes, boolean splitFiles) {
    public CsvOptions {
        nullStrings = List.copyOf(nullStrings);
        columns = List.copyOf(columns);
        types = Map.copyOf(types);
        new TableSchema(columns); // a column named twice fails here
        if (delimiter.isEmpty() || delimiter.length() > 4 || delimiter.contains("\n") || delimiter.contains("\r")) {
            throw new PlanException("the CSV delimiter must be 1 to 4 characters and no line break, not '" + delimiter + "'");
        }
        if (quote.length() > 1 || escape.length() > 1) {
            throw new PlanException("the CSV quote and escape are one character each (or empty), not '" + quote
                    + "' and '" + escape + "'");
        }
        if (!quote.isEmpty() && delimiter.contains(quote)) {
            throw new PlanException("the CSV quote '" + quote + "' cannot be part of the delimiter '" + delimiter + "'");
        }
        if (nullStrings.isEmpty()) {
            throw new PlanException("give at least one null string (the default is the empty field)");
        }
        if (!columns.isEmpty() && !types.isEmpty()) {
            throw new PlanException("withColumns gives every column and its type, withTypes overrides detected types: "
                    + "use one of them, not both");
        }
        if (partitionBytes <= 0) {
            throw new PlanException("the CSV partition size must be positive, not " + partitionBytes);
        }
    }

    public static CsvOptions defaults() {
        return new CsvOptions(true, ",", "\"", "\"", List.of(""), null, null, List.of(), Map.of(),
                Scans.DEFAULT_CSV_PARTITION_BYTES, true);
    }

    public CsvOptions withHeader(boolean hasHeader) {
        return new CsvOptions(hasHeader, delimiter, quote, escape, nullStrings, dateFormat, timestampFormat, columns,
                types, partitionBytes, splitFiles);
    }

    public CsvOptions withDelimiter(String sep) {
        return new CsvOptions(header, sep, quote, escape, nullStrings, dateFormat, timestampFormat, columns, types,
                partitionBytes, splitFiles);
    }

    /** The quote, and the escape with it (a quote inside a quoted field is doubled); "" for no quoting. */
    public CsvOptions withQuote(String q) {
        return new CsvOptions(header, delimiter, q, q, nullStrings, dateFormat, timestampFormat, columns, types,
                partitionBytes, splitFiles);
    }

    public CsvOptions withEscape(String e) {
        return new CsvOptions(header, delimiter, quote, e, nullStrings, dateFormat, timestampFormat, columns, types,
                partitionBytes, splitFiles);
    }

    public CsvOptions withNullStrings(String... nulls) {
        return new CsvOptions(header, delimiter, quote, escape, List.of(nulls), dateFormat, timestampFormat, columns,
                types, partitionBytes, splitFiles);
    }

    public CsvOptions withDateFormat(String format) {
        return new CsvOptions(header, delimiter, quote, escape, nullStrings, format, timestampFormat, columns, types,
                partitionBytes, splitFiles);
    }

    public CsvOptions withTimestampFormat(String format) {
        return new CsvOptions(header, delimiter, quote, escape, nullStrings, dateFormat, format, columns, types,
                partitionBytes, splitFiles);
    }

    /** Every column in file order (a {@link LinkedHashMap}, say): nothing is detected. */
    public CsvOptions withColumns(SequencedMap<String, DataType> all) {
        List<TableSchema.Field> fields = new ArrayList<>();
        all.forEach((name, type) -> fields.add(new TableSchema.Field(name, type)));
        return new CsvOptions(header, delimiter, quote, escape, nullStrings, dateFormat, timestampFormat, fields, types,
                partitionBytes, splitFiles);
    }

    /** One more column after those given so far: {@code withColumn("id", BIGINT).withColumn("s", VARCHAR)}. */
    public CsvOptions withColumn(String name, DataType type) {
        SequencedMap<String, DataType> all = new LinkedHashMap<>();
        columns.forEach(f -> all.put(f.name(), f.type()));
        all.put(name, type);
        return withColumns(all);
    }

    /** Types for some columns, the others detected. */
    public CsvOptions withTypes(Map<String, DataType> some) {
        return new CsvOptions(header, delimiter, quote, escape, nullStrings, dateFormat, timestampFormat, columns, some,
                partitionBytes, splitFiles);
    }

    public CsvOptions withPartitionBytes(long bytes) {
        return new CsvOptions(header, delimiter, quote, escape, nullStrings, dateFormat, timestampFormat, columns, types,
                bytes, splitFiles);
    }

    /** False: each file is one partition, read whole (quoted fields may then hold line breaks). */
    public CsvOptions withSplitFiles(boolean split) {
        return new CsvOptions(header, delimiter, quote, escape, nullStrings, dateFormat, timestampFormat, columns, types,
                partitionBytes, split);
    }

    /** The worker's side of these options. */
    CsvFormat toFormat() {
        Map<String, String> typeNames = new LinkedHashMap<>();
        types.forEach((name, type) -> typeNames.put(name, type.sql()));
        return new CsvFormat(header, delimiter, quote, escape, nullStrings, dateFormat, timestampFormat,
                columns.stream().map(f -> new ParquetDataset.Column(f.name(), f.type().sql())).toList(), typeNames);
    }
}
