package io.partita.client.table.physical;

import io.partita.client.table.expr.PlanException;
import io.partita.client.table.expr.SqlRenderer;
import io.partita.client.table.plan.Plan;
import java.util.stream.Collectors;

/**
 * Fusion: a chain of partition-wise nodes (filters and projections over one scan) becomes one query over the
 * scan's input {@code in0}, nested subqueries that DuckDB's optimiser flattens into one pipeline.
 */
final class ChainSql {
    static final String INPUT = "in0";

    private ChainSql() {}

    /** The aggregate under a chain of filters and projections (or the plan itself), or null when there is none. */
    static Plan.Aggregate aggregateOf(Plan plan) {
        return switch (plan) {
            case Plan.Aggregate a -> a;
            case Plan.Filter f -> aggregateOf(f.input());
            case Plan.Project p -> aggregateOf(p.input());
            case Plan.Scan s -> null;
            case Plan.Persisted p -> null;
        };
    }

    /** The source (a scan, persisted partitions) of a partition-wise chain; fails for one it cannot run yet. */
    static Plan sourceOf(Plan plan) {
        return switch (plan) {
            case Plan.Scan s -> s;
            case Plan.Persisted p -> p;
            case Plan.Filter f -> sourceOf(f.input());
            case Plan.Project p -> sourceOf(p.input());
            case Plan.Aggregate a -> throw new PlanException("an aggregate under another operation is not supported yet: "
                    + "compute it, then start a new table from its result");
        };
    }

    static String sql(Plan plan) {
        return sql(plan, null, null);
    }

    /** The chain's query, with {@code leaf} (a node of it) standing for the query {@code leafSql}. */
    static String sql(Plan plan, Plan leaf, String leafSql) {
        if (plan == leaf) {
            return leafSql;
        }
        return switch (plan) {
            case Plan.Scan s -> "SELECT " + (s.columns().isEmpty() ? "*" : columns(s)) + " FROM " + INPUT
                    + (s.filter() == null ? "" : " WHERE " + SqlRenderer.render(s.filter()));
            case Plan.Persisted p -> "SELECT * FROM " + INPUT;
            case Plan.Filter f -> "SELECT * FROM (" + sql(f.input(), leaf, leafSql) + ") WHERE " + SqlRenderer.render(f.predicate());
            case Plan.Project p -> "SELECT " + p.columns().stream()
                    .map(c -> SqlRenderer.render(c.expr()) + " AS " + SqlRenderer.ident(c.name()))
                    .collect(Collectors.joining(", ")) + " FROM (" + sql(p.input(), leaf, leafSql) + ")";
            case Plan.Aggregate a -> throw new IllegalStateException("not a partition-wise chain: " + a);
        };
    }

    private static String columns(Plan.Scan s) {
        return s.columns().stream().map(SqlRenderer::ident).collect(Collectors.joining(", "));
    }
}
