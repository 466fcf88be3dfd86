package io.partita.tpch;

import io.trino.tpch.TpchTable;
import java.util.Map;

/**
 * How many files a table is cut into at a scale factor: enough that each holds about {@code rowsPerFile} rows.
 * The row counts are TPC-H's at scale factor 1 (lineitem's is about 4 per order, not exact before generation).
 */
record Layout(double scale, long rowsPerGroup, long rowsPerFile) {
    private static final Map<String, Long> ROWS_AT_SF1 = Map.of("lineitem", 6_001_215L, "orders", 1_500_000L,
            "partsupp", 800_000L, "part", 200_000L, "customer", 150_000L, "supplier", 10_000L, "nation", 25L,
            "region", 5L);

    Layout {
        if (!(scale > 0) || rowsPerGroup <= 0 || rowsPerFile <= 0) {
            throw new IllegalArgumentException("scale, rows per group and rows per file must be positive");
        }
    }

    static long estimatedRows(TpchTable<?> table, double scale) {
        long base = ROWS_AT_SF1.get(table.getTableName());
        return base <= 25 ? base : (long) Math.ceil(base * scale);
    }

    int files(TpchTable<?> table) {
        return (int) Math.max(1, Math.ceil((double) estimatedRows(table, scale) / rowsPerFile));
    }
}
