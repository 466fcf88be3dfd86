package io.partita.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The lines a peer of the tables benchmark prints: {@code VERSION text}, then per query
 * {@code RESULT {"query": ..., "seconds": [...], "rows": n, "checksum": x}} (or {@code "error": "..."}); any other
 * line is the peer's own log.
 */
final class PeerProtocol {
    private static final ObjectMapper JSON = new ObjectMapper();

    private PeerProtocol() {
    }

    static String json(String query, List<Double> seconds, long rows, double checksum) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("query", query);
        m.put("seconds", seconds);
        m.put("rows", rows);
        m.put("checksum", checksum);
        try {
            return JSON.writeValueAsString(m);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The engine's result from a peer's output lines; an error when it printed no result. */
    static TablesResult parse(String engine, List<String> lines, long peakBytes, String failure) {
        String version = "-";
        Map<String, TablesResult.Query> queries = new LinkedHashMap<>();
        for (String line : lines) {
            if (line.startsWith("VERSION ")) {
                version = line.substring("VERSION ".length()).strip();
            } else if (line.startsWith("RESULT ")) {
                try {
                    JsonNode n = JSON.readTree(line.substring("RESULT ".length()));
                    List<Double> seconds = new ArrayList<>();
                    n.path("seconds").forEach(x -> seconds.add(x.asDouble()));
                    queries.put(n.path("query").asText(), new TablesResult.Query(seconds, n.path("rows").asLong(),
                            n.path("checksum").asDouble(), n.hasNonNull("error") ? n.path("error").asText() : null));
                } catch (java.io.IOException bad) {
                    failure = "unreadable result line: " + line;
                }
            }
        }
        return new TablesResult(engine, version, queries, peakBytes, queries.isEmpty() && failure == null ? "printed no results" : failure);
    }
}
