package io.partita.client.table.optimizer;

import io.partita.client.table.plan.Plan;
import java.util.function.UnaryOperator;

/** The generic walk: rebuild a node over rewritten inputs, then let the rule look at it (bottom-up). */
final class Rewrites {
    private Rewrites() {}

    static Plan transformUp(Plan plan, UnaryOperator<Plan> fn) {
        Plan rebuilt = switch (plan) {
            case Plan.Scan s -> s;
            case Plan.Persisted p -> p;
            case Plan.Filter f -> {
                Plan in = transformUp(f.input(), fn);
                yield in == f.input() ? f : new Plan.Filter(in, f.predicate());
            }
            case Plan.Project p -> {
                Plan in = transformUp(p.input(), fn);
                yield in == p.input() ? p : new Plan.Project(in, p.columns(), p.schema());
            }
            case Plan.Join j -> {
                Plan l = transformUp(j.left(), fn);
                Plan r = transformUp(j.right(), fn);
                yield l == j.left() && r == j.right() ? j : io.partita.client.table.plan.Plans.join(l, r, j.keys(), j.type());
            }
            case Plan.Union u -> {
                java.util.List<Plan> ins = u.inputs().stream().map(i -> transformUp(i, fn)).toList();
                boolean same = true;
                for (int i = 0; i < ins.size(); i++) {
                    same &= ins.get(i) == u.inputs().get(i);
                }
                yield same ? u : new Plan.Union(ins, u.schema());
            }
            case Plan.MapPartitions m -> {
                Plan in = transformUp(m.input(), fn);
                yield in == m.input() ? m : new Plan.MapPartitions(in, m.fn(), m.name(), m.schema());
            }
            case Plan.Distinct d -> {
                Plan in = transformUp(d.input(), fn);
                yield in == d.input() ? d : new Plan.Distinct(in);
            }
            case Plan.Limit l -> {
                Plan in = transformUp(l.input(), fn);
                yield in == l.input() ? l : new Plan.Limit(in, l.n());
            }
            case Plan.Aggregate a -> {
                Plan in = transformUp(a.input(), fn);
                yield in == a.input() ? a : new Plan.Aggregate(in, a.keys(), a.aggs(), a.schema());
            }
        };
        return fn.apply(rebuilt);
    }
}
