package io.partita.client.table.optimizer;

import io.partita.client.table.plan.Plan;
import java.util.List;

/**
 * A filter or a projection over a union applies to each of its inputs instead, so it fuses into each input's
 * partition-wise chain (and a filter can go on into each input's scan).
 *
 * <pre>
 * Filter ("a" > 1)          Union inputs=2
 *   Union inputs=2     =>     Filter ("a" > 1)
 *     Scan /t                   Scan /t
 *     Scan /u                 Filter ("a" > 1)
 *                               Scan /u
 * </pre>
 * Every input has the union's schema, so the same expressions type the same over each. A limit is not pushed (it
 * stays above, where it counts the rows of all inputs).
 */
public final class PushThroughUnion implements Rule {
    @Override
    public String name() {
        return "push_through_union";
    }

    @Override
    public Plan rewrite(Plan plan) {
        return Rewrites.transformUp(plan, node -> switch (node) {
            case Plan.Filter f when f.input() instanceof Plan.Union u ->
                    new Plan.Union(each(u, in -> new Plan.Filter(in, f.predicate())), u.schema());
            case Plan.Project p when p.input() instanceof Plan.Union u ->
                    new Plan.Union(each(u, in -> new Plan.Project(in, p.columns(), p.schema())), p.schema());
            default -> node;
        });
    }

    private static List<Plan> each(Plan.Union u, java.util.function.UnaryOperator<Plan> fn) {
        return u.inputs().stream().map(fn).toList();
    }
}
