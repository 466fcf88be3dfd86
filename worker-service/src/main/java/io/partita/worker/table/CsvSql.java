package io.partita.worker.table;

import io.partita.common.table.CsvFormat;
import io.partita.common.table.ParquetDataset;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** The {@code read_csv(...)} call for a format: every option spelled out, so nothing depends on DuckDB's guesses. */
final class CsvSql {
    private CsvSql() {}

    /** A read with the format's columns and no detection; {@code header} says whether this file's first line is one. */
    static String read(String file, CsvFormat f, boolean header) {
        return "read_csv(" + Sql.string(file) + ", auto_detect = false, " + options(f, header)
                + ", columns = " + struct(f.columns()) + ", strict_mode = true)";
    }

    /** The options DuckDB's sniffer ({@code sniff_csv}, a detecting {@code read_csv}) keeps as given. */
    static String options(CsvFormat f, boolean header) {
        StringBuilder b = new StringBuilder("header = ").append(header)
                .append(", delim = ").append(Sql.string(f.delimiter()))
                .append(", quote = ").append(Sql.string(f.quote()))
                .append(", escape = ").append(Sql.string(f.escape()))
                .append(", nullstr = [").append(f.nullStrings().stream().map(Sql::string).collect(Collectors.joining(", ")))
                .append("]");
        if (f.dateFormat() != null) {
            b.append(", dateformat = ").append(Sql.string(f.dateFormat()));
        }
        if (f.timestampFormat() != null) {
            b.append(", timestampformat = ").append(Sql.string(f.timestampFormat()));
        }
        if (!f.types().isEmpty()) {
            b.append(", types = ").append(map(f.types()));
        }
        return b.toString();
    }

    private static String struct(List<ParquetDataset.Column> columns) {
        return columns.stream().map(c -> Sql.string(c.name()) + ": " + Sql.string(c.type()))
                .collect(Collectors.joining(", ", "{", "}"));
    }

    private static String map(Map<String, String> types) {
        return types.entrySet().stream().sorted(Map.Entry.comparingByKey())
                .map(e -> Sql.string(e.getKey()) + ": " + Sql.string(e.getValue()))
                .collect(Collectors.joining(", ", "{", "}"));
    }
}
