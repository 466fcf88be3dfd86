package io.partita.client.table.optimizer;

import io.partita.client.table.expr.Expr;
import io.partita.client.table.expr.Exprs;
import io.partita.client.table.plan.Plan;

/**
 * Evaluates what needs no data: arithmetic and comparisons of numeric literals, {@code NOT}, {@code AND}/{@code OR}
 * with a boolean literal; a filter that is always true disappears.
 *
 * <pre>
 * Filter a > (1 + 2) AND true      Filter a > 3
 * </pre>
 * It does not fold a {@code NULL} literal (SQL's three-valued logic is left to DuckDB), a division (DuckDB's
 * division by zero semantics) or integer arithmetic that would overflow.
 */
public final class FoldConstants implements Rule {
    @Override
    public String name() {
        return "fold_constants";
    }

    @Override
    public Plan rewrite(Plan plan) {
        return Rewrites.transformUp(plan, node -> switch (node) {
            case Plan.Filter f -> {
                Expr p = fold(f.predicate());
                yield Boolean.TRUE.equals(literal(p)) ? f.input() : p.equals(f.predicate()) ? f : new Plan.Filter(f.input(), p);
            }
            case Plan.Project p -> {
                var cols = p.columns().stream().map(c -> new Plan.NamedExpr(c.name(), fold(c.expr()))).toList();
                yield cols.equals(p.columns()) ? p : new Plan.Project(p.input(), cols, p.schema());
            }
            case Plan.Scan s when s.filter() != null -> {
                Expr p = fold(s.filter());
                yield p.equals(s.filter()) ? s : new Plan.Scan(s.source(), s.partitions(), s.fileSchema(), s.columns(),
                        Boolean.TRUE.equals(literal(p)) ? null : p);
            }
            default -> node;
        });
    }

    static Expr fold(Expr e) {
        return ExprRewrites.transformUp(e, FoldConstants::foldNode);
    }

    private static Object literal(Expr e) {
        return e instanceof Expr.Lit l ? l.value() : null;
    }

    private static Expr foldNode(Expr e) {
        if (e instanceof Expr.Unary u && u.op() == Expr.UnaryOp.NOT && literal(u.arg()) instanceof Boolean b) {
            return Exprs.lit(!b);
        }
        if (!(e instanceof Expr.Binary b)) {
            return e;
        }
        Object l = literal(b.left());
        Object r = literal(b.right());
        if (b.op() == Expr.BinaryOp.AND || b.op() == Expr.BinaryOp.OR) {
            boolean and = b.op() == Expr.BinaryOp.AND;
            if (l instanceof Boolean lb) {
                return lb == and ? b.right() : Exprs.lit(!and);
            }
            if (r instanceof Boolean rb) {
                return rb == and ? b.left() : Exprs.lit(!and);
            }
            return e;
        }
        if (!(l instanceof Number x) || !(r instanceof Number y)) {
            return e;
        }
        boolean integral = !(x instanceof Double) && !(y instanceof Double);
        boolean wide = x instanceof Long || y instanceof Long;
        try {
            return switch (b.op()) {
                case ADD -> number(integral, wide, Math.addExact(x.longValue(), y.longValue()), x.doubleValue() + y.doubleValue());
                case SUB -> number(integral, wide, Math.subtractExact(x.longValue(), y.longValue()), x.doubleValue() - y.doubleValue());
                case MUL -> number(integral, wide, Math.multiplyExact(x.longValue(), y.longValue()), x.doubleValue() * y.doubleValue());
                case EQ -> Exprs.lit(compare(x, y, integral) == 0);
                case NE -> Exprs.lit(compare(x, y, integral) != 0);
                case LT -> Exprs.lit(compare(x, y, integral) < 0);
                case LE -> Exprs.lit(compare(x, y, integral) <= 0);
                case GT -> Exprs.lit(compare(x, y, integral) > 0);
                case GE -> Exprs.lit(compare(x, y, integral) >= 0);
                default -> e;
            };
        } catch (ArithmeticException overflow) {
            return e;
        }
    }

    private static Expr number(boolean integral, boolean wide, long asLong, double asDouble) {
        if (!integral) {
            return Exprs.lit(asDouble);
        }
        if (!wide && (asLong < Integer.MIN_VALUE || asLong > Integer.MAX_VALUE)) {
            throw new ArithmeticException("integer overflow"); // DuckDB would fail on INTEGER overflow: leave it to it
        }
        return wide ? Exprs.lit(asLong) : Exprs.lit((int) asLong);
    }

    private static int compare(Number x, Number y, boolean integral) {
        return integral ? Long.compare(x.longValue(), y.longValue()) : Double.compare(x.doubleValue(), y.doubleValue());
    }
}
