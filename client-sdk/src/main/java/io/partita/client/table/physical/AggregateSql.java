package io.partita.client.table.physical;

import io.partita.client.table.expr.DataType;
import io.partita.client.table.expr.SqlRenderer;
import io.partita.client.table.plan.Plan;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * An aggregate in three steps, as Dask's {@code split_every} tree: a partial per partition, combines of partials,
 * and a final step that turns the combined partials into the asked-for columns (a mean is a sum over a count).
 * Partial columns are named {@code partita_p<i>} (a mean has {@code _s} and {@code _c}).
 */
final class AggregateSql {
    /** Stands for the partition's position in the source (replaced in each task's query): orders {@code first}. */
    static final String PARTITION_ORDINAL = "partita_partition_ordinal";
    /** Rows a partition may have before its row numbers reach the next partition's ({@code first}'s order). */
    private static final long ROWS_PER_PARTITION = 1L << 40;

    private final Plan.Aggregate agg;

    AggregateSql(Plan.Aggregate agg) {
        this.agg = agg;
    }

    /** The partial aggregate over one partition's chain. */
    String partial(String chainSql) {
        List<String> cols = new ArrayList<>(keys());
        for (int i = 0; i < agg.aggs().size(); i++) {
            Plan.AggExpr a = agg.aggs().get(i);
            String x = a.column() == null ? null : SqlRenderer.ident(a.column());
            String p = partialName(i);
            switch (a.fn()) {
                case SUM -> cols.add("CAST(sum(" + x + ") AS " + sumType(a) + ") AS " + p);
                case COUNT -> cols.add("count(" + x + ") AS " + p);
                case COUNT_ALL -> cols.add("count(*) AS " + p);
                case MEAN -> {
                    cols.add("CAST(sum(" + x + ") AS DOUBLE) AS " + partialName(i, "_s"));
                    cols.add("count(" + x + ") AS " + partialName(i, "_c"));
                }
                case COUNT_DISTINCT -> cols.add("list_distinct(list(" + x + ")) AS " + p); // the partition's distinct values
                case STD_DEV -> {
                    String d = "CAST(" + x + " AS DOUBLE)";
                    cols.add("count(" + x + ") AS " + partialName(i, "_c"));
                    cols.add("sum(" + d + ") AS " + partialName(i, "_s"));
                    cols.add("sum(" + d + " * " + d + ") AS " + partialName(i, "_q"));
                }
                case MIN -> cols.add("min(" + x + ") AS " + p);
                case MAX -> cols.add("max(" + x + ") AS " + p);
                case FIRST -> { // the value and its position (partition, row), so the combines keep the earliest
                    cols.add("arg_min(" + x + ", partita_row) FILTER (WHERE " + x + " IS NOT NULL) AS " + p);
                    cols.add("min(partita_row) FILTER (WHERE " + x + " IS NOT NULL) AS " + partialName(i, "_o"));
                }
            }
        }
        boolean first = agg.aggs().stream().anyMatch(a -> a.fn() == Plan.AggFn.FIRST);
        // row_number() OVER () numbers rows in the order read (DuckDB runs it as an order-keeping streaming window)
        String from = first ? "(SELECT *, row_number() OVER () + " + PARTITION_ORDINAL + " * " + ROWS_PER_PARTITION
                + " AS partita_row FROM (" + chainSql + "))" : "(" + chainSql + ")";
        return "SELECT " + String.join(", ", cols) + " FROM " + from + groupBy();
    }

    /** Combines partials read from {@code input}; with {@code last}, also the final projection. */
    String combine(String input, boolean last) {
        List<String> cols = new ArrayList<>(keys());
        List<String> finals = new ArrayList<>(keys());
        for (int i = 0; i < agg.aggs().size(); i++) {
            Plan.AggExpr a = agg.aggs().get(i);
            String p = partialName(i);
            String name = SqlRenderer.ident(a.name());
            switch (a.fn()) {
                case SUM -> cols.add("CAST(sum(" + p + ") AS " + sumType(a) + ") AS " + p);
                case COUNT, COUNT_ALL -> cols.add("CAST(sum(" + p + ") AS BIGINT) AS " + p);
                case MEAN -> {
                    String s = partialName(i, "_s");
                    String c = partialName(i, "_c");
                    cols.add("sum(" + s + ") AS " + s);
                    cols.add("CAST(sum(" + c + ") AS BIGINT) AS " + c);
                    finals.add("CASE WHEN " + c + " = 0 THEN NULL ELSE " + s + " / " + c + " END AS " + name);
                }
                case COUNT_DISTINCT -> {
                    cols.add("list_distinct(flatten(list(" + p + "))) AS " + p);
                    finals.add("CAST(coalesce(len(" + p + "), 0) AS BIGINT) AS " + name);
                }
                case STD_DEV -> { // sample standard deviation (n - 1), as pandas and DuckDB's stddev
                    String c = partialName(i, "_c");
                    String s = partialName(i, "_s");
                    String q = partialName(i, "_q");
                    cols.add("CAST(sum(" + c + ") AS BIGINT) AS " + c);
                    cols.add("sum(" + s + ") AS " + s);
                    cols.add("sum(" + q + ") AS " + q);
                    finals.add("CASE WHEN " + c + " < 2 THEN NULL ELSE sqrt(greatest((" + q + " - " + s + " * " + s + " / "
                            + c + ") / (" + c + " - 1), 0)) END AS " + name);
                }
                case MIN -> cols.add("min(" + p + ") AS " + p);
                case MAX -> cols.add("max(" + p + ") AS " + p);
                case FIRST -> {
                    String o = partialName(i, "_o");
                    cols.add("arg_min(" + p + ", " + o + ") AS " + p);
                    cols.add("min(" + o + ") AS " + o);
                }
            }
            if (a.fn() != Plan.AggFn.MEAN && a.fn() != Plan.AggFn.COUNT_DISTINCT && a.fn() != Plan.AggFn.STD_DEV) {
                finals.add(p + " AS " + name);
            }
        }
        String combined = "SELECT " + String.join(", ", cols) + " FROM " + input + groupBy();
        return last ? "SELECT " + String.join(", ", finals) + " FROM (" + combined + ")" : combined;
    }

    private String sumType(Plan.AggExpr a) {
        DataType t = agg.schema().type(a.name());
        return t.sql();
    }

    private List<String> keys() {
        return agg.keys().stream().map(SqlRenderer::ident).toList();
    }

    private String groupBy() {
        return agg.keys().isEmpty() ? "" : " GROUP BY " + keys().stream().collect(Collectors.joining(", "));
    }

    private static String partialName(int i) {
        return partialName(i, "");
    }

    private static String partialName(int i, String suffix) {
        return "partita_p" + i + suffix;
    }
}
