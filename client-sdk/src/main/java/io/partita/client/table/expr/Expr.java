package io.partita.client.table.expr;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A column expression: an immutable tree that the optimiser reads and {@link SqlRenderer} writes as DuckDB SQL.
 * Build with {@link Exprs#col} and {@link Exprs#lit} and the methods here; {@link TypeChecker} checks it against a
 * schema when a plan is built.
 */
public sealed interface Expr {
    record Col(String name) implements Expr {
        public Col {
            Objects.requireNonNull(name, "name");
        }
    }

    /**
     * A constant: null, Boolean, Integer, Long, Double, String, {@link java.time.LocalDate}, {@link java.time.LocalDateTime}
     * or {@link java.time.Instant} (a TIMESTAMP, the instant in UTC), {@link java.time.Duration} (an INTERVAL).
     */
    record Lit(Object value, DataType type) implements Expr {}

    record Binary(BinaryOp op, Expr left, Expr right) implements Expr {}

    record Unary(UnaryOp op, Expr arg) implements Expr {}

    /**
     * A function of several arguments ({@code contains}, {@code round}, ...). {@link Function#CASE} takes
     * condition, value pairs and then the value otherwise ({@link Exprs#when}).
     */
    record Call(Function fn, List<Expr> args) implements Expr {
        public Call {
            args = List.copyOf(args);
        }
    }

    record IsIn(Expr arg, List<Expr> values) implements Expr {
        public IsIn {
            values = List.copyOf(values);
            if (values.isEmpty()) {
                throw new IllegalArgumentException("isIn needs at least one value");
            }
        }
    }

    record Between(Expr arg, Expr low, Expr high) implements Expr {}

    record Cast(Expr arg, DataType type) implements Expr {}

    /** An output name for an expression of a {@code select}. */
    record Alias(Expr arg, String name) implements Expr {}

    enum BinaryOp { ADD, SUB, MUL, DIV, MOD, EQ, NE, LT, LE, GT, GE, AND, OR }

    enum UnaryOp { NOT, NEG, IS_NULL, IS_NOT_NULL, ABS, LOWER, UPPER, LENGTH }

    enum Function { CONTAINS, STARTS_WITH, LIKE, SUBSTR, ROUND, COALESCE, YEAR, MONTH, DAY, HOUR, MINUTE, SECOND,
        DAY_OF_WEEK, DATE_TRUNC, CASE }

    default Expr add(Object o) { return new Binary(BinaryOp.ADD, this, Exprs.of(o)); }
    default Expr sub(Object o) { return new Binary(BinaryOp.SUB, this, Exprs.of(o)); }
    default Expr mul(Object o) { return new Binary(BinaryOp.MUL, this, Exprs.of(o)); }
    default Expr div(Object o) { return new Binary(BinaryOp.DIV, this, Exprs.of(o)); }
    default Expr mod(Object o) { return new Binary(BinaryOp.MOD, this, Exprs.of(o)); }
    default Expr eq(Object o) { return new Binary(BinaryOp.EQ, this, Exprs.of(o)); }
    default Expr ne(Object o) { return new Binary(BinaryOp.NE, this, Exprs.of(o)); }
    default Expr lt(Object o) { return new Binary(BinaryOp.LT, this, Exprs.of(o)); }
    default Expr le(Object o) { return new Binary(BinaryOp.LE, this, Exprs.of(o)); }
    default Expr gt(Object o) { return new Binary(BinaryOp.GT, this, Exprs.of(o)); }
    default Expr ge(Object o) { return new Binary(BinaryOp.GE, this, Exprs.of(o)); }
    default Expr and(Expr o) { return new Binary(BinaryOp.AND, this, o); }
    default Expr or(Expr o) { return new Binary(BinaryOp.OR, this, o); }
    default Expr not() { return new Unary(UnaryOp.NOT, this); }
    default Expr negate() { return new Unary(UnaryOp.NEG, this); }
    default Expr isNull() { return new Unary(UnaryOp.IS_NULL, this); }
    default Expr isNotNull() { return new Unary(UnaryOp.IS_NOT_NULL, this); }
    default Expr abs() { return new Unary(UnaryOp.ABS, this); }
    default Expr lower() { return new Unary(UnaryOp.LOWER, this); }
    default Expr upper() { return new Unary(UnaryOp.UPPER, this); }
    default Expr length() { return new Unary(UnaryOp.LENGTH, this); }
    default Expr contains(String s) { return new Call(Function.CONTAINS, List.of(this, Exprs.lit(s))); }
    default Expr startsWith(String s) { return new Call(Function.STARTS_WITH, List.of(this, Exprs.lit(s))); }
    /** SQL {@code LIKE}: {@code %} any characters, {@code _} one. */
    default Expr like(String pattern) { return new Call(Function.LIKE, List.of(this, Exprs.lit(pattern))); }
    /** Characters {@code start} (1-based) to {@code start + length - 1}. */
    default Expr substr(int start, int length) {
        return new Call(Function.SUBSTR, List.of(this, Exprs.lit(start), Exprs.lit(length)));
    }
    /** This value, or the first of {@code others} that is not null. */
    default Expr coalesce(Object... others) {
        List<Expr> args = new java.util.ArrayList<>(List.of(this));
        Arrays.stream(others).map(Exprs::of).forEach(args::add);
        return new Call(Function.COALESCE, args);
    }
    default Expr year() { return new Call(Function.YEAR, List.of(this)); }
    default Expr month() { return new Call(Function.MONTH, List.of(this)); }
    default Expr day() { return new Call(Function.DAY, List.of(this)); }
    default Expr hour() { return new Call(Function.HOUR, List.of(this)); }
    default Expr minute() { return new Call(Function.MINUTE, List.of(this)); }
    /** Whole seconds of the minute (0-59). */
    default Expr second() { return new Call(Function.SECOND, List.of(this)); }
    /** ISO day of the week: Monday 1 to Sunday 7. */
    default Expr dayOfWeek() { return new Call(Function.DAY_OF_WEEK, List.of(this)); }
    /**
     * The date or timestamp truncated to {@code unit} ({@code year quarter month week day hour minute second}), a
     * TIMESTAMP (as DuckDB's {@code date_trunc}, even of a DATE).
     */
    default Expr dateTrunc(String unit) { return new Call(Function.DATE_TRUNC, List.of(this, Exprs.lit(unit))); }
    default Expr round(int digits) { return new Call(Function.ROUND, List.of(this, Exprs.lit(digits))); }
    default Expr isIn(Object... values) { return new IsIn(this, Arrays.stream(values).map(Exprs::of).toList()); }
    default Expr between(Object low, Object high) { return new Between(this, Exprs.of(low), Exprs.of(high)); }
    default Expr cast(DataType type) { return new Cast(this, type); }
    default Expr as(String name) { return new Alias(this, name); }
}
