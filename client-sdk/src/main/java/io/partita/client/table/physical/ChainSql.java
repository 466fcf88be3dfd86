package io.partita.client.table.physical;

import io.partita.client.table.expr.PlanException;
import io.partita.client.table.expr.SqlRenderer;
import io.partita.client.table.plan.Plan;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Fusion: a chain of partition-wise nodes (filters, projections and broadcast joins over one source) becomes one
 * query over the source's input {@code in0} (and {@code in1}, {@code in2}, ... for the joins' broadcast sides, in
 * chain order), nested subqueries that DuckDB's optimiser flattens into one pipeline.
 */
final class ChainSql {
    static final String INPUT = "in0";

    private final List<Plan.Join> joins;

    ChainSql(Plan chain) {
        this.joins = joinsOf(chain);
    }

    /** The joins of a chain, top-down along their probe sides. */
    static List<Plan.Join> joinsOf(Plan chain) {
        List<Plan.Join> out = new ArrayList<>();
        for (Plan p = chain; !p.inputs().isEmpty() && !(p instanceof Plan.Aggregate); p = p.inputs().getFirst()) {
            if (p instanceof Plan.Join j) {
                out.add(j);
            }
        }
        return out;
    }

    List<Plan.Join> joins() {
        return joins;
    }

    /** The input name of a join's broadcast side. */
    String inputOf(Plan.Join join) {
        for (int i = 0; i < joins.size(); i++) {
            if (joins.get(i) == join) {
                return "in" + (i + 1);
            }
        }
        throw new IllegalStateException("not a join of this chain: " + join);
    }

    /** The aggregate under a chain of filters and projections (or the plan itself), or null when there is none. */
    static Plan.Aggregate aggregateOf(Plan plan) {
        return switch (plan) {
            case Plan.Aggregate a -> a;
            case Plan.Filter f -> aggregateOf(f.input());
            case Plan.Project p -> aggregateOf(p.input());
            case Plan.Join j -> null;
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
            case Plan.Join j -> sourceOf(j.left());
            case Plan.Aggregate a -> throw new PlanException("an aggregate under another aggregate or on the probe side "
                    + "of a join is not supported yet: compute or persist it, then start a new table from its result");
        };
    }

    String sql(Plan plan) {
        return sql(plan, null, null);
    }

    /** The chain's query, with {@code leaf} (a node of it) standing for the query {@code leafSql}. */
    String sql(Plan plan, Plan leaf, String leafSql) {
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
            case Plan.Join j -> join(j, sql(j.left(), leaf, leafSql));
            case Plan.Aggregate a -> throw new IllegalStateException("not a partition-wise chain: " + a);
        };
    }

    private String join(Plan.Join j, String left) {
        List<String> cols = new ArrayList<>();
        j.left().schema().names().forEach(c -> cols.add("l." + SqlRenderer.ident(c)));
        if (j.type() == Plan.JoinType.INNER || j.type() == Plan.JoinType.LEFT) {
            j.right().schema().names().stream().filter(c -> !j.keys().contains(c))
                    .forEach(c -> cols.add("r." + SqlRenderer.ident(c)));
        }
        String on = j.keys().stream().map(k -> "l." + SqlRenderer.ident(k) + " = r." + SqlRenderer.ident(k))
                .collect(Collectors.joining(" AND "));
        String kind = switch (j.type()) {
            case INNER -> "JOIN";
            case LEFT -> "LEFT JOIN";
            case SEMI -> "SEMI JOIN";
            case ANTI -> "ANTI JOIN";
        };
        return "SELECT " + String.join(", ", cols) + " FROM (" + left + ") AS l " + kind + " " + inputOf(j) + " AS r ON " + on;
    }

    private static String columns(Plan.Scan s) {
        return s.columns().stream().map(SqlRenderer::ident).collect(Collectors.joining(", "));
    }
}
