package io.partita.benchmarks;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * DuckDB alone, the tables benchmark's limit: one in-process DuckDB with {@code threads} threads over the same
 * Parquet files, run by {@link TablesBenchmark} as a child process (so its memory is its own). Each query's result is
 * materialised inside DuckDB ({@code CREATE TEMP TABLE ... AS}), then its row count and checksum are read outside
 * the timing. Prints {@code VERSION ...} and one {@code RESULT {json}} line per query.
 * Usage: DuckDbPeer DATA_DIR QUERIES_SQL ROUNDS THREADS
 */
public final class DuckDbPeer {
    private DuckDbPeer() {
    }

    public static void main(String[] args) throws Exception {
        Path data = Path.of(args[0]);
        SqlQueries queries = SqlQueries.read(Path.of(args[1]));
        int rounds = Integer.parseInt(args[2]);
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement()) {
            s.execute("SET threads = " + Integer.parseInt(args[3]));
            for (String t : List.of("lineitem", "part")) {
                s.execute("CREATE VIEW " + t + " AS SELECT * FROM read_parquet('" + data.resolve(t) + "/*.parquet')");
            }
            try (ResultSet r = s.executeQuery("SELECT version()")) {
                r.next();
                System.out.println("VERSION DuckDB " + r.getString(1) + " (JDBC, threads=" + args[3] + ")");
            }
            for (SqlQueries.Entry q : queries.entries()) { // the warm-up: each query once
                run(s, q);
            }
            List<List<Double>> times = new ArrayList<>();
            queries.entries().forEach(q -> times.add(new ArrayList<>()));
            for (int round = 0; round < rounds; round++) {
                for (int i = 0; i < queries.entries().size(); i++) {
                    times.get(i).add(run(s, queries.entries().get(i)));
                }
            }
            for (int i = 0; i < queries.entries().size(); i++) {
                SqlQueries.Entry q = queries.entries().get(i);
                run(s, q); // leaves this query's answer in result
                try (ResultSet r = s.executeQuery("SELECT count(*), sum(" + q.check() + ")::DOUBLE FROM result")) {
                    r.next();
                    System.out.println("RESULT " + PeerProtocol.json(q.name(), times.get(i), r.getLong(1), r.getDouble(2)));
                }
            }
        }
    }

    private static double run(Statement s, SqlQueries.Entry q) throws Exception {
        long start = System.nanoTime();
        s.execute("CREATE OR REPLACE TEMP TABLE result AS " + q.sql());
        return (System.nanoTime() - start) / 1e9;
    }
}
