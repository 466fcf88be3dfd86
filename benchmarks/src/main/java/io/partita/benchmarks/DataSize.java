package io.partita.benchmarks;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;

/** A Parquet folder's rows, files, bytes on disk and uncompressed bytes (from parquet_metadata). */
record DataSize(long rows, int files, long parquetBytes, long uncompressedBytes) {
    static DataSize of(Path folder) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement();
             ResultSet r = s.executeQuery("SELECT sum(row_group_num_rows) FILTER (WHERE column_id = 0), count(DISTINCT file_name), "
                     + "sum(total_uncompressed_size) FROM parquet_metadata('" + folder + "/*.parquet')")) {
            r.next();
            return new DataSize(r.getLong(1), r.getInt(2), ClusterLaunch.treeBytes(folder), r.getLong(3));
        }
    }
}
