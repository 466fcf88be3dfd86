package io.partita.worker.table;

import io.partita.common.table.CsvDataset;
import io.partita.common.table.CsvFormat;
import io.partita.common.table.ParquetDataset;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.duckdb.DuckDBConnection;

/**
 * Lists the CSV files at a path (a file, a folder: every {@code *.csv} and {@code *.csv.gz} under it, or a glob) with their sizes, and
 * settles the columns: given ones are checked by DuckDB (an unknown type fails here, naming the column), otherwise
 * DuckDB's sniffer detects them on the first file (a sample of its rows, {@code sample_size}). Metadata only: a
 * few rows through JDBC, never the data, and no file is read whole.
 */
final class CsvInspector {
    private final DuckDBConnection conn;

    CsvInspector(DuckDBConnection conn) {
        this.conn = conn;
    }

    CsvDataset inspect(String pathOrGlob, CsvFormat format) throws SQLException, IOException {
        List<String> paths = files(pathOrGlob);
        if (paths.isEmpty()) {
            throw new IllegalArgumentException("no CSV file matches '" + pathOrGlob + "' on this worker "
                    + "(paths must be readable by every worker: a shared file system, or the same folder on each host)");
        }
        List<CsvDataset.CsvFile> files = new ArrayList<>();
        for (String p : paths) {
            files.add(new CsvDataset.CsvFile(p, Files.size(Path.of(p))));
        }
        if (format.header()) {
            sameHeaders(files);
        }
        String first = paths.getFirst();
        CsvFormat settled = format.columns().isEmpty() ? detect(first, format) : check(first, format);
        return new CsvDataset(pathOrGlob, settled, files);
    }

    /**
     * Every file's header must be the first file's, compared as text (as Dask does): the columns are read by
     * position, so a file that orders or names them differently would be read wrong. One positioned read a file.
     */
    private static void sameHeaders(List<CsvDataset.CsvFile> files) throws IOException {
        String first = null;
        String firstFile = null;
        for (CsvDataset.CsvFile f : files) {
            if (f.bytes() == 0 || CsvFormat.compressed(f.path())) { // DuckDB alone can read a compressed header
                continue;
            }
            String header;
            try (FileChannel ch = FileChannel.open(Path.of(f.path()))) {
                header = CsvLines.firstLine(ch);
            }
            if (first == null) {
                first = header;
                firstFile = f.path();
            } else if (!first.equals(header)) {
                throw new IllegalArgumentException("CSV file " + f.path() + " has the header '" + header + "' but "
                        + firstFile + " has '" + first + "': the files of one table must share their columns");
            }
        }
    }

    /** Given columns: DuckDB binds a read with them, which fails on a type it does not know. */
    private CsvFormat check(String file, CsvFormat format) throws SQLException {
        try {
            List<ParquetDataset.Column> columns = describe("SELECT * FROM " + CsvSql.read(file, format, format.header()));
            return format.withColumns(columns, format.dateFormat(), format.timestampFormat()); // DuckDB's spelling of the types
        } catch (SQLException e) {
            throw new IllegalArgumentException("cannot read CSV file " + file + " with the columns "
                    + format.columns().stream().map(c -> c.name() + " " + c.type()).toList() + ": " + firstLine(e), e);
        }
    }

    /** Detected columns and date formats, from the first file; fails naming it when it has no rows to detect from. */
    private CsvFormat detect(String file, CsvFormat format) throws SQLException, IOException {
        try (FileChannel ch = FileChannel.open(Path.of(file))) {
            if (CsvLines.noDataLines(ch, format.header())) {
                throw new IllegalArgumentException("cannot detect the columns of CSV file " + file + ": it has no rows "
                        + "(give the columns and their types: CsvOptions.withColumns)");
            }
        }
        String options = CsvSql.options(format, format.header());
        try {
            List<ParquetDataset.Column> columns = describe("SELECT * FROM read_csv(" + Sql.string(file) + ", " + options + ")");
            String dates = format.dateFormat();
            String timestamps = format.timestampFormat();
            try (Statement s = conn.createStatement(); ResultSet rs = s.executeQuery("SELECT DateFormat, TimestampFormat "
                    + "FROM sniff_csv(" + Sql.string(file) + ", " + options + ")")) {
                if (rs.next()) { // the formats the sniffer found, so that every stage parses dates as it did
                    dates = dates != null ? dates : rs.getString(1);
                    timestamps = timestamps != null ? timestamps : rs.getString(2);
                }
            }
            return format.withColumns(columns, dates, timestamps);
        } catch (SQLException e) {
            throw new IllegalArgumentException("cannot detect the columns of CSV file " + file + ": " + firstLine(e), e);
        }
    }

    private List<ParquetDataset.Column> describe(String query) throws SQLException {
        List<ParquetDataset.Column> out = new ArrayList<>();
        try (Statement s = conn.createStatement(); ResultSet rs = s.executeQuery("DESCRIBE " + query)) {
            while (rs.next()) {
                out.add(new ParquetDataset.Column(rs.getString("column_name"), rs.getString("column_type")));
            }
        }
        return out;
    }

    private List<String> files(String pathOrGlob) throws SQLException {
        Path path = Path.of(pathOrGlob);
        List<String> patterns;
        if (Files.isDirectory(path)) {
            Path under = path.resolve("**");
            patterns = List.of(under.resolve("*.csv").toString(), under.resolve("*.csv.gz").toString());
        } else if (Files.isRegularFile(path)) {
            return List.of(path.toString());
        } else {
            patterns = List.of(pathOrGlob);
        }
        List<String> out = new ArrayList<>();
        for (String pattern : patterns) {
            try (Statement s = conn.createStatement();
                 ResultSet rs = s.executeQuery("SELECT file FROM glob(" + Sql.string(pattern) + ")")) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
        }
        out.sort(null);
        return out;
    }

    /** DuckDB's reason without its hints and the options it lists after a blank line. */
    static String firstLine(SQLException e) {
        String m = String.valueOf(e.getMessage());
        int cut = m.indexOf("\n\n");
        return (cut < 0 ? m : m.substring(0, cut)).strip();
    }
}
