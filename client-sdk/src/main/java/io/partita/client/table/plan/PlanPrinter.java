package io.partita.client.table.plan;

import io.partita.client.table.expr.SqlRenderer;
import java.util.stream.Collectors;

/** The plan as an indented tree, one node a line: what {@code explain()} prints and the rule tests compare. */
public final class PlanPrinter {
    private PlanPrinter() {}

    public static String print(Plan plan) {
        StringBuilder out = new StringBuilder();
        print(plan, 0, out);
        return out.toString();
    }

    private static void print(Plan plan, int depth, StringBuilder out) {
        out.append("  ".repeat(depth)).append(line(plan)).append('\n');
        plan.inputs().forEach(in -> print(in, depth + 1, out));
    }

    public static String line(Plan plan) {
        return switch (plan) {
            case Plan.Scan s -> "Scan " + s.source() + " columns=" + s.columns()
                    + (s.filter() == null ? "" : " filter=" + SqlRenderer.render(s.filter()))
                    + " partitions=" + s.partitions().size();
            case Plan.Persisted p -> "Persisted partitions=" + p.keys().size() + " columns=" + p.schema().names();
            case Plan.Join j -> "BroadcastJoin " + j.type().name().toLowerCase() + " keys=" + j.keys();
            case Plan.Filter f -> "Filter " + SqlRenderer.render(f.predicate());
            case Plan.Project p -> "Project " + p.columns().stream()
                    .map(c -> SqlRenderer.render(c.expr()) + (c.expr().equals(new io.partita.client.table.expr.Expr.Col(c.name()))
                            ? "" : " AS " + c.name())).collect(Collectors.joining(", "));
            case Plan.Union u -> "Union inputs=" + u.inputs().size();
            case Plan.MapPartitions m -> "MapPartitions " + m.name() + " columns=" + m.schema().names();
            case Plan.Distinct d -> "Distinct columns=" + d.schema().names();
            case Plan.Limit l -> "Limit " + l.n();
            case Plan.Aggregate a -> "Aggregate keys=" + a.keys() + " aggs=" + a.aggs().stream()
                    .map(g -> g.fn().name().toLowerCase() + "(" + (g.column() == null ? "*" : g.column()) + ") AS " + g.name())
                    .collect(Collectors.joining(", "));
        };
    }
}
