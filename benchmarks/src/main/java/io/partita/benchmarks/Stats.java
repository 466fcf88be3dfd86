package io.partita.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Locale;

/** The statistics every benchmark reports: medians over rounds with their spread (min-max). */
final class Stats {
    private Stats() {
    }

    static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        int n = sorted.size();
        return n == 0 ? Double.NaN : n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    /** "median ms (min-max)" of seconds. */
    static String msSpread(List<Double> seconds) {
        List<Double> sorted = seconds.stream().sorted().toList();
        return sorted.isEmpty() ? "-" : String.format(Locale.ROOT, "%.1f ms (%.1f-%.1f)", median(sorted) * 1e3,
                sorted.getFirst() * 1e3, sorted.getLast() * 1e3);
    }

    /** The same of the Dask side's {median, min, max, n} object (seconds). */
    static String msSpread(JsonNode stats) {
        return stats.isObject() ? String.format(Locale.ROOT, "%.1f ms (%.1f-%.1f)", stats.path("median").asDouble() * 1e3,
                stats.path("min").asDouble() * 1e3, stats.path("max").asDouble() * 1e3) : "-";
    }

    /** "median (min-max)" of rates. */
    static String rateSpread(List<Double> rates) {
        List<Double> sorted = rates.stream().sorted().toList();
        return sorted.isEmpty() ? "-" : String.format(Locale.ROOT, "%,.0f (%,.0f-%,.0f)", median(sorted), sorted.getFirst(),
                sorted.getLast());
    }
}
