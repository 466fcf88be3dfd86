package io.partita.client.table.optimizer;

import io.partita.client.table.expr.Expr;
import io.partita.client.table.expr.Exprs;
import io.partita.client.table.plan.Plan;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Projection pushdown: each node computes only the columns something above it reads, and the scan reads only
 * those (and its filter's) from the Parquet files.
 *
 * <pre>
 * Aggregate keys=[k] aggs=sum(x)      Aggregate keys=[k] aggs=sum(x)
 *   Project k, x, y * 2 AS z     =>     Project k, x
 *     Scan t columns=[k, x, y, s]         Scan t columns=[k, x]
 * </pre>
 * The plan's own output columns are never dropped; a projection keeps at least one column.
 */
public final class PruneColumns implements Rule {
    @Override
    public String name() {
        return "prune_columns";
    }

    @Override
    public Plan rewrite(Plan plan) {
        return prune(plan, new LinkedHashSet<>(plan.schema().names()));
    }

    private static Plan prune(Plan plan, Set<String> required) {
        return switch (plan) {
            case Plan.Scan s -> {
                Set<String> read = new LinkedHashSet<>(required);
                if (s.filter() != null) {
                    read.addAll(Exprs.columns(s.filter()));
                }
                List<String> cols = s.columns().stream().filter(read::contains).toList();
                yield cols.equals(s.columns()) ? s : new Plan.Scan(s.source(), s.partitions(), s.fileSchema(), cols, s.filter());
            }
            case Plan.Persisted p -> p; // a projection above reads what it needs
            case Plan.Filter f -> {
                Set<String> below = new LinkedHashSet<>(required);
                below.addAll(Exprs.columns(f.predicate()));
                Plan in = prune(f.input(), below);
                yield in == f.input() ? f : new Plan.Filter(in, f.predicate());
            }
            case Plan.Project p -> {
                List<Plan.NamedExpr> kept = new ArrayList<>();
                for (Plan.NamedExpr c : p.columns()) {
                    if (required.contains(c.name())) {
                        kept.add(c);
                    }
                }
                if (kept.isEmpty()) {
                    kept.add(p.columns().getFirst());
                }
                Set<String> below = new LinkedHashSet<>();
                kept.forEach(c -> below.addAll(Exprs.columns(c.expr())));
                Plan in = prune(p.input(), below);
                if (in == p.input() && kept.size() == p.columns().size()) {
                    yield p;
                }
                var schema = new io.partita.client.table.expr.TableSchema(p.schema().fields().stream()
                        .filter(f -> kept.stream().anyMatch(c -> c.name().equals(f.name()))).toList());
                yield new Plan.Project(in, kept, schema);
            }
            case Plan.Join j -> {
                // each side keeps the keys and the columns used above that it has (a semi or anti join: only the keys)
                Set<String> left = new LinkedHashSet<>(j.keys());
                j.left().schema().names().stream().filter(required::contains).forEach(left::add);
                Set<String> right = new LinkedHashSet<>(j.keys());
                if (j.type() == Plan.JoinType.INNER || j.type() == Plan.JoinType.LEFT) {
                    j.right().schema().names().stream().filter(required::contains).forEach(right::add);
                }
                Plan l = prune(j.left(), left);
                Plan r = prune(j.right(), right);
                yield l == j.left() && r == j.right() ? j : io.partita.client.table.plan.Plans.join(l, r, j.keys(), j.type());
            }
            case Plan.MapPartitions m -> { // the function sees every column of its input
                Plan in = prune(m.input(), new LinkedHashSet<>(m.input().schema().names()));
                yield in == m.input() ? m : new Plan.MapPartitions(in, m.fn(), m.name(), m.schema());
            }
            case Plan.Distinct d -> { // every column is part of the rows it compares
                Plan in = prune(d.input(), new LinkedHashSet<>(d.schema().names()));
                yield in == d.input() ? d : new Plan.Distinct(in);
            }
            case Plan.Limit l -> {
                Plan in = prune(l.input(), required);
                yield in == l.input() ? l : new Plan.Limit(in, l.n());
            }
            case Plan.Union u -> {
                // every input must output the same columns in the same order: a pruned input that reads more (its
                // scan's filter columns) or in another order gets a projection of exactly the union's columns
                List<io.partita.client.table.expr.TableSchema.Field> fields = u.schema().fields().stream()
                        .filter(f -> required.contains(f.name())).toList();
                if (fields.isEmpty()) {
                    fields = List.of(u.schema().fields().getFirst());
                }
                var schema = new io.partita.client.table.expr.TableSchema(fields);
                Set<String> keep = new LinkedHashSet<>(schema.names());
                List<Plan> ins = new ArrayList<>();
                boolean same = schema.equals(u.schema());
                for (Plan in : u.inputs()) {
                    Plan p = prune(in, keep);
                    if (!p.schema().names().equals(schema.names())) {
                        p = io.partita.client.table.plan.Plans.select(p, schema.names().stream().map(Exprs::col).toList());
                    }
                    same &= p == in;
                    ins.add(p);
                }
                yield same ? u : new Plan.Union(ins, schema);
            }
            case Plan.Aggregate a -> {
                Set<String> below = new LinkedHashSet<>(a.keys());
                a.aggs().stream().map(Plan.AggExpr::column).filter(c -> c != null).forEach(below::add);
                Plan in = prune(a.input(), below);
                yield in == a.input() ? a : new Plan.Aggregate(in, a.keys(), a.aggs(), a.schema());
            }
        };
    }

    /** Whether {@code p} outputs its input's columns unchanged, in order. */
    static boolean isIdentity(Plan.Project p) {
        List<String> in = p.input().schema().names();
        if (in.size() != p.columns().size()) {
            return false;
        }
        for (int i = 0; i < in.size(); i++) {
            Plan.NamedExpr c = p.columns().get(i);
            if (!c.name().equals(in.get(i)) || !(c.expr() instanceof Expr.Col col && col.name().equals(in.get(i)))) {
                return false;
            }
        }
        return true;
    }
}
