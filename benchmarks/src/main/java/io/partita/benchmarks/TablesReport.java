package io.partita.benchmarks;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * The tables benchmark's report: per query each engine's median (min-max), the ratios against Partita and DuckDB
 * alone with their geometric means, peak memory, and whether every engine's answer agrees with DuckDB's (row count
 * exactly, checksum to 1e-6 relative): a fast wrong answer is flagged, not counted.
 */
final class TablesReport {
    private TablesReport() {
    }

    static String render(List<String> queries, List<TablesResult> engines) {
        StringBuilder out = new StringBuilder();
        TablesResult partita = find(engines, "Partita");
        TablesResult duckdb = find(engines, "DuckDB");
        TablesResult dask = find(engines, "Dask");
        TablesResult spark = find(engines, "Spark");
        out.append("\nVersions:\n");
        engines.forEach(e -> out.append(String.format(Locale.ROOT, "  %-8s %s%s%n", e.engine(), e.version(),
                e.error() == null ? "" : "  NOT RUN / FAILED: " + e.error())));
        out.append("\n| query |");
        engines.forEach(e -> out.append(' ').append(e.engine()).append(" s |"));
        out.append(" Partita / DuckDB | Dask / Partita | Spark / Partita |\n|---|");
        engines.forEach(e -> out.append("---:|"));
        out.append("---:|---:|---:|\n");
        List<List<Double>> ratios = List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
        for (String q : queries) {
            out.append("| ").append(q).append(" |");
            for (TablesResult e : engines) {
                out.append(' ').append(cell(e, q, duckdb)).append(" |");
            }
            out.append(' ').append(ratio(partita, duckdb, q, ratios.get(0))).append(" |");
            out.append(' ').append(ratio(dask, partita, q, ratios.get(1))).append(" |");
            out.append(' ').append(ratio(spark, partita, q, ratios.get(2))).append(" |\n");
        }
        out.append("| geometric mean |");
        engines.forEach(e -> out.append(" |"));
        ratios.forEach(r -> out.append(' ').append(r.size() == queries.size() ? x(geomean(r)) : r.isEmpty() ? "-"
                : x(geomean(r)) + " (" + r.size() + " queries)").append(" |"));
        out.append("\n| peak memory |");
        engines.forEach(e -> out.append(' ').append(e.peakBytes() > 0 ? mib(e.peakBytes()) : "-").append(" |"));
        out.append(" | | |\n");
        out.append("\nAnswers (rows, checksum) against DuckDB alone's:\n");
        for (String q : queries) {
            out.append("  ").append(q).append(':');
            for (TablesResult e : engines) {
                TablesResult.Query r = e.queries().get(q);
                out.append(' ').append(e.engine()).append('=').append(r == null ? "-" : r.ok()
                        ? String.format(Locale.ROOT, "%d/%.6g%s", r.rows(), r.checksum(), agrees(r, duckdb, q) ? "" : " WRONG")
                        : "error " + r.error());
            }
            out.append('\n');
        }
        return out.toString();
    }

    /** Whether {@code r} matches DuckDB's answer to {@code q} (true when DuckDB has none to compare with). */
    static boolean agrees(TablesResult.Query r, TablesResult duckdb, String q) {
        TablesResult.Query ref = duckdb == null ? null : duckdb.queries().get(q);
        if (ref == null || !ref.ok()) {
            return true;
        }
        double scale = Math.max(1, Math.abs(ref.checksum()));
        return r.rows() == ref.rows() && Math.abs(r.checksum() - ref.checksum()) <= 1e-6 * scale;
    }

    private static String cell(TablesResult e, String q, TablesResult duckdb) {
        TablesResult.Query r = e.queries().get(q);
        if (r == null || !r.ok()) {
            return r == null ? "-" : "error";
        }
        List<Double> s = r.seconds().stream().sorted().toList();
        return String.format(Locale.ROOT, "%.2f (%.2f-%.2f)%s", r.median(), s.getFirst(), s.getLast(),
                agrees(r, duckdb, q) ? "" : " WRONG");
    }

    /** {@code a / b} of medians when both answered right; collected for the geometric mean. */
    private static String ratio(TablesResult a, TablesResult b, String q, List<Double> into) {
        if (a == null || b == null) {
            return "-";
        }
        TablesResult.Query x = a.queries().get(q);
        TablesResult.Query y = b.queries().get(q);
        if (x == null || y == null || !x.ok() || !y.ok()) {
            return "-";
        }
        double r = x.median() / y.median();
        into.add(r);
        return x(r);
    }

    static double geomean(List<Double> values) {
        return Math.exp(values.stream().mapToDouble(Math::log).average().orElse(Double.NaN));
    }

    private static TablesResult find(List<TablesResult> engines, String prefix) {
        return engines.stream().filter(e -> e.engine().startsWith(prefix) && e.error() == null).findFirst().orElse(null);
    }

    private static String x(double r) {
        return String.format(Locale.ROOT, "%.2fx", r);
    }

    static String mib(long bytes) {
        return String.format(Locale.ROOT, "%,d MiB", bytes >> 20);
    }

    static String nonNull(String s) {
        return Objects.requireNonNullElse(s, "");
    }
}
