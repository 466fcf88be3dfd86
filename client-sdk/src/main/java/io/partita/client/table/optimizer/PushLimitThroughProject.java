package io.partita.client.table.optimizer;

import io.partita.client.table.plan.Plan;

/**
 * A limit moves below a projection (a projection keeps every row, one out for one in, so the first n rows of its
 * output are the projection of the first n rows of its input), and two limits become the smaller one.
 *
 * <pre>
 * Limit 10                      Project "a" AS x
 *   Project "a" AS x       =>     Limit 10
 *     Filter ("b" > 1)              Filter ("b" > 1)
 * </pre>
 * It never moves below a filter (the first n rows that pass are not among the first n rows), a join, a union or an
 * aggregate.
 */
public final class PushLimitThroughProject implements Rule {
    @Override
    public String name() {
        return "push_limit_through_project";
    }

    @Override
    public Plan rewrite(Plan plan) {
        return Rewrites.transformUp(plan, node -> {
            if (node instanceof Plan.Limit l && l.input() instanceof Plan.Project p) {
                return new Plan.Project(rewrite(new Plan.Limit(p.input(), l.n())), p.columns(), p.schema());
            }
            if (node instanceof Plan.Limit l && l.input() instanceof Plan.Limit inner) {
                return new Plan.Limit(inner.input(), Math.min(l.n(), inner.n()));
            }
            return node;
        });
    }
}
