package io.partita.client.table.physical;

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

    /** The joins of a chain, top-down along their probe sides (down to its source). */
    static List<Plan.Join> joinsOf(Plan chain) {
        List<Plan.Join> out = new ArrayList<>();
        for (Plan p = chain; isChainStep(p); p = p.inputs().getFirst()) {
            if (p instanceof Plan.Join j) {
                out.add(j);
            }
        }
        return out;
    }

    /** A partition-wise step: one partition in, one out, fused into the query of the partition's task. */
    static boolean isChainStep(Plan p) {
        return p instanceof Plan.Filter || p instanceof Plan.Project || p instanceof Plan.Join;
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
            default -> null;
        };
    }

    /**
     * The source of a partition-wise chain: the first node down its probe side that is not a chain step (a scan,
     * persisted partitions, or a node whose result other tasks compute first: an aggregate, a union, a limit).
     */
    static Plan sourceOf(Plan plan) {
        Plan p = plan;
        while (isChainStep(p)) {
            p = p instanceof Plan.Join j ? j.left() : p.inputs().getFirst();
        }
        return p;
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
            case Plan.Union u -> throw new IllegalStateException("not a partition-wise chain: " + u);
            case Plan.MapPartitions m -> throw new IllegalStateException("not a partition-wise chain: " + m);
            case Plan.Distinct d -> throw new IllegalStateException("not a partition-wise chain: " + d);
            case Plan.Limit l -> throw new IllegalStateException("not a partition-wise chain: " + l);
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
