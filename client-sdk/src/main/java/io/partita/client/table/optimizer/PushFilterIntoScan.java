package io.partita.client.table.optimizer;

import io.partita.client.table.expr.Exprs;
import io.partita.client.table.plan.Plan;
import java.util.List;

/**
 * Moves a filter into the scan under it, so DuckDB's Parquet reader evaluates it and skips row groups by their
 * statistics; two filters in a row become one.
 *
 * <pre>
 * Filter a > 1            Scan t filter=(a > 1) AND (b = 2)
 *   Filter b = 2     =>
 *     Scan t
 * </pre>
 * A filter never moves below a node that changes rows (an aggregate); {@link PushFilterThroughProject} moves it
 * through projections first.
 */
public final class PushFilterIntoScan implements Rule {
    @Override
    public String name() {
        return "push_filter_into_scan";
    }

    @Override
    public Plan rewrite(Plan plan) {
        return Rewrites.transformUp(plan, node -> {
            if (node instanceof Plan.Filter f) {
                if (f.input() instanceof Plan.Scan s) {
                    return new Plan.Scan(s.source(), s.partitions(), s.fileSchema(), s.columns(),
                            s.filter() == null ? f.predicate() : Exprs.and(List.of(s.filter(), f.predicate())));
                }
                if (f.input() instanceof Plan.Filter g) {
                    return new Plan.Filter(g.input(), g.predicate().and(f.predicate()));
                }
            }
            return node;
        });
    }
}
