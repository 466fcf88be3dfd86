package io.partita.worker.table;

import io.partita.common.table.ParquetDataset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.duckdb.DuckDBConnection;

/**
 * Lists the Parquet files at a path (a file, a folder: every {@code *.parquet} under it, or a glob) with their row
 * groups and their common schema. Metadata only, a few rows per file: read through JDBC, never the data.
 */
final class ParquetInspector {
    private final DuckDBConnection conn;

    ParquetInspector(DuckDBConnection conn) {
        this.conn = conn;
    }

    ParquetDataset inspect(String pathOrGlob) throws SQLException {
        List<String> paths = files(pathOrGlob);
        if (paths.isEmpty()) {
            throw new IllegalArgumentException("no Parquet file matches '" + pathOrGlob + "' on this worker "
                    + "(paths must be readable by every worker: a shared file system, or the same folder on each host)");
        }
        List<ParquetDataset.Column> schema = null;
        String first = null;
        List<ParquetDataset.ParquetFile> files = new ArrayList<>();
        for (String file : paths) {
            List<ParquetDataset.Column> columns;
            List<ParquetDataset.RowGroup> groups;
            try {
                columns = schema(file);
                groups = rowGroups(file);
            } catch (SQLException e) {
                throw new IllegalArgumentException("cannot read Parquet file " + file + ": " + e.getMessage(), e);
            }
            if (schema == null) {
                schema = columns;
                first = file;
            } else if (!schema.equals(columns)) {
                throw new IllegalArgumentException("Parquet file " + file + " has columns " + columns
                        + " but " + first + " has " + schema + ": the files of one table must share a schema");
            }
            files.add(new ParquetDataset.ParquetFile(file, groups));
        }
        return new ParquetDataset(pathOrGlob, schema, files);
    }

    private List<String> files(String pathOrGlob) throws SQLException {
        Path path = Path.of(pathOrGlob);
        String pattern;
        if (Files.isDirectory(path)) {
            pattern = path.resolve("**").resolve("*.parquet").toString();
        } else if (Files.isRegularFile(path)) {
            return List.of(path.toString());
        } else {
            pattern = pathOrGlob;
        }
        List<String> out = new ArrayList<>();
        try (Statement s = conn.createStatement();
             ResultSet rs = s.executeQuery("SELECT file FROM glob(" + Sql.string(pattern) + ") ORDER BY file")) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }

    private List<ParquetDataset.Column> schema(String file) throws SQLException {
        List<ParquetDataset.Column> out = new ArrayList<>();
        try (Statement s = conn.createStatement();
             ResultSet rs = s.executeQuery("DESCRIBE SELECT * FROM read_parquet(" + Sql.string(file) + ")")) {
            while (rs.next()) {
                out.add(new ParquetDataset.Column(rs.getString("column_name"), rs.getString("column_type")));
            }
        }
        return out;
    }

    private List<ParquetDataset.RowGroup> rowGroups(String file) throws SQLException {
        List<ParquetDataset.RowGroup> out = new ArrayList<>();
        String sql = "SELECT row_group_id, any_value(row_group_num_rows), sum(total_uncompressed_size) "
                + "FROM parquet_metadata(" + Sql.string(file) + ") GROUP BY row_group_id ORDER BY row_group_id";
        long start = 0;
        try (Statement s = conn.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                long rows = rs.getLong(2);
                out.add(new ParquetDataset.RowGroup(rs.getInt(1), start, rows, rs.getLong(3)));
                start += rows;
            }
        }
        return out;
    }
}
