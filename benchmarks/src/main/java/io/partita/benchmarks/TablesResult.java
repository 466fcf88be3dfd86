package io.partita.benchmarks;

import java.util.List;
import java.util.Map;

/** What one engine did in the tables benchmark: per query its times and answer, its peak memory, or why it did not run. */
record TablesResult(String engine, String version, Map<String, Query> queries, long peakBytes, String error) {
    /** One query: seconds of each measured round, and the answer's row count and checksum (see queries.sql). */
    record Query(List<Double> seconds, long rows, double checksum, String error) {
        double median() {
            return Stats.median(seconds);
        }

        boolean ok() {
            return error == null && !seconds.isEmpty();
        }
    }

    static TablesResult failed(String engine, String error) {
        return new TablesResult(engine, "-", Map.of(), 0, error);
    }

    TablesResult withPeak(long bytes) {
        return new TablesResult(engine, version, queries, bytes, error);
    }
}
