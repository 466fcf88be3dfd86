package io.partita.client;

import io.partita.client.table.plan.Plan;

/** One aggregate of {@link GroupedFrame#agg} / {@link Frame#agg}: {@code Agg.sum("price").as("revenue")}. */
public record Agg(Plan.AggFn fn, String column, String name) {
    public static Agg sum(String column) {
        return new Agg(Plan.AggFn.SUM, column, "sum_" + column);
    }

    /** Non-null values of {@code column}. */
    public static Agg count(String column) {
        return new Agg(Plan.AggFn.COUNT, column, "count_" + column);
    }

    /** Rows, nulls included. */
    public static Agg countAll() {
        return new Agg(Plan.AggFn.COUNT_ALL, null, "count");
    }

    /** Distinct non-null values of {@code column}. */
    public static Agg countDistinct(String column) {
        return new Agg(Plan.AggFn.COUNT_DISTINCT, column, "count_distinct_" + column);
    }

    /** The sample standard deviation (n - 1), as pandas' {@code std}. */
    public static Agg stdDev(String column) {
        return new Agg(Plan.AggFn.STD_DEV, column, "std_" + column);
    }

    public static Agg mean(String column) {
        return new Agg(Plan.AggFn.MEAN, column, "mean_" + column);
    }

    public static Agg min(String column) {
        return new Agg(Plan.AggFn.MIN, column, "min_" + column);
    }

    public static Agg max(String column) {
        return new Agg(Plan.AggFn.MAX, column, "max_" + column);
    }

    /**
     * The first non-null value of {@code column} in each group (as pandas' {@code first}), in partition order and row
     * order within a partition: deterministic for a given partitioning.
     */
    public static Agg first(String column) {
        return new Agg(Plan.AggFn.FIRST, column, "first_" + column);
    }

    public Agg as(String newName) {
        return new Agg(fn, column, newName);
    }

    Plan.AggExpr toPlan() {
        return new Plan.AggExpr(fn, column, name);
    }
}
