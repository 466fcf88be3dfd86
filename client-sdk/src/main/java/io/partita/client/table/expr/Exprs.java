package io.partita.client.table.expr;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** Factories and walks over {@link Expr}. */
public final class Exprs {
    private Exprs() {}

    public static Expr col(String name) {
        return new Expr.Col(name);
    }

    public static Expr lit(Object value) {
        return new Expr.Lit(value, literalType(value));
    }

    /** An interval of {@code n} days, to add to or subtract from a date or timestamp. */
    public static Expr days(long n) {
        return lit(java.time.Duration.ofDays(n));
    }

    public static Expr hours(long n) {
        return lit(java.time.Duration.ofHours(n));
    }

    public static Expr minutes(long n) {
        return lit(java.time.Duration.ofMinutes(n));
    }

    public static Expr seconds(long n) {
        return lit(java.time.Duration.ofSeconds(n));
    }

    /** {@code when(cond, value).when(...).otherwise(value)}: SQL's {@code CASE WHEN}. */
    public static When when(Expr condition, Object value) {
        return new When(List.of(condition, of(value)));
    }

    /** The branches of a {@code CASE WHEN} so far. */
    public record When(List<Expr> branches) {
        public When when(Expr condition, Object value) {
            List<Expr> more = new ArrayList<>(branches);
            more.add(condition);
            more.add(of(value));
            return new When(more);
        }

        public Expr otherwise(Object value) {
            List<Expr> all = new ArrayList<>(branches);
            all.add(of(value));
            return new Expr.Call(Expr.Function.CASE, all);
        }
    }

    /** An expression as it is, any other value as a literal. */
    static Expr of(Object o) {
        return o instanceof Expr e ? e : lit(o);
    }

    static DataType literalType(Object v) {
        return switch (v) {
            case null -> DataType.NULL;
            case Boolean b -> DataType.BOOLEAN;
            case Integer i -> DataType.INTEGER;
            case Long l -> DataType.BIGINT;
            case Double d -> DataType.DOUBLE;
            case Float f -> DataType.DOUBLE;
            case String s -> DataType.VARCHAR;
            case LocalDate d -> DataType.DATE;
            case java.time.LocalDateTime t -> DataType.TIMESTAMP;
            case java.time.Instant t -> DataType.TIMESTAMP;
            case java.time.Duration d -> DataType.INTERVAL;
            default -> throw new IllegalArgumentException("a literal must be null, a Boolean, Integer, Long, Double, "
                    + "String, LocalDate, LocalDateTime, Instant or Duration, not " + v.getClass().getName());
        };
    }

    /** The direct children of {@code e}. */
    public static List<Expr> children(Expr e) {
        return switch (e) {
            case Expr.Col c -> List.of();
            case Expr.Lit l -> List.of();
            case Expr.Binary b -> List.of(b.left(), b.right());
            case Expr.Unary u -> List.of(u.arg());
            case Expr.Call c -> c.args();
            case Expr.IsIn i -> {
                List<Expr> all = new ArrayList<>(i.values());
                all.addFirst(i.arg());
                yield all;
            }
            case Expr.Between b -> List.of(b.arg(), b.low(), b.high());
            case Expr.Cast c -> List.of(c.arg());
            case Expr.Alias a -> List.of(a.arg());
        };
    }

    /** The columns {@code e} reads, in order of first use. */
    public static Set<String> columns(Expr e) {
        Set<String> out = new LinkedHashSet<>();
        collect(e, out);
        return out;
    }

    private static void collect(Expr e, Set<String> out) {
        if (e instanceof Expr.Col c) {
            out.add(c.name());
        }
        children(e).forEach(child -> collect(child, out));
    }

    /** The expression under its alias, if it has one. */
    public static Expr unalias(Expr e) {
        return e instanceof Expr.Alias a ? a.arg() : e;
    }

    /** Splits a conjunction into its terms. */
    public static List<Expr> conjuncts(Expr e) {
        if (e instanceof Expr.Binary b && b.op() == Expr.BinaryOp.AND) {
            List<Expr> out = new ArrayList<>(conjuncts(b.left()));
            out.addAll(conjuncts(b.right()));
            return out;
        }
        return List.of(e);
    }

    /** The conjunction of {@code terms}, or null when there are none. */
    public static Expr and(List<Expr> terms) {
        Expr out = null;
        for (Expr t : terms) {
            out = out == null ? t : out.and(t);
        }
        return out;
    }
}
