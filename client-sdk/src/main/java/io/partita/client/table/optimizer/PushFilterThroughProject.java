package io.partita.client.table.optimizer;

import io.partita.client.table.expr.Expr;
import io.partita.client.table.expr.Exprs;
import io.partita.client.table.plan.Plan;
import java.util.HashMap;
import java.util.Map;

/**
 * Moves a filter below a projection when every column it reads is a plain (possibly renamed) column there.
 *
 * <pre>
 * Filter x > 1              Project a AS x, b
 *   Project a AS x, b  =>     Filter a > 1
 * </pre>
 * It does not fire when the filter reads a computed column ({@code withColumn("y", a + b)} then {@code y > 1}).
 */
public final class PushFilterThroughProject implements Rule {
    @Override
    public String name() {
        return "push_filter_through_project";
    }

    @Override
    public Plan rewrite(Plan plan) {
        return Rewrites.transformUp(plan, node -> {
            if (node instanceof Plan.Filter f && f.input() instanceof Plan.Project p) {
                Map<String, String> source = new HashMap<>();
                for (Plan.NamedExpr c : p.columns()) {
                    if (c.expr() instanceof Expr.Col col) {
                        source.put(c.name(), col.name());
                    }
                }
                if (source.keySet().containsAll(Exprs.columns(f.predicate()))) {
                    return new Plan.Project(new Plan.Filter(p.input(), substitute(f.predicate(), source)),
                            p.columns(), p.schema());
                }
            }
            return node;
        });
    }

    static Expr substitute(Expr e, Map<String, String> names) {
        return ExprRewrites.transformUp(e, x -> x instanceof Expr.Col c ? new Expr.Col(names.get(c.name())) : x);
    }
}
