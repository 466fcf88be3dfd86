package io.partita.client.table.plan;

import io.partita.client.table.expr.DataType;
import io.partita.client.table.expr.Expr;
import io.partita.client.table.expr.Exprs;
import io.partita.client.table.expr.PlanException;
import io.partita.client.table.expr.TableSchema;
import io.partita.client.table.expr.TypeChecker;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Builds plan nodes, checking every column and type against the input's schema. */
public final class Plans {
    private Plans() {}

    public static Plan filter(Plan input, Expr predicate) {
        TypeChecker.requirePredicate(predicate, input.schema());
        return new Plan.Filter(input, predicate);
    }

    public static Plan project(Plan input, List<Plan.NamedExpr> columns) {
        if (columns.isEmpty()) {
            throw new PlanException("a selection needs at least one column (schema " + input.schema() + ")");
        }
        List<TableSchema.Field> fields = new ArrayList<>();
        for (Plan.NamedExpr c : columns) {
            fields.add(new TableSchema.Field(c.name(), TypeChecker.typeOf(c.expr(), input.schema())));
        }
        return new Plan.Project(input, columns, new TableSchema(fields));
    }

    /** {@code select(exprs)}: a column keeps its name, an expression needs {@code as(name)}. */
    public static Plan select(Plan input, List<Expr> exprs) {
        List<Plan.NamedExpr> out = new ArrayList<>();
        for (Expr e : exprs) {
            String name = switch (e) {
                case Expr.Alias a -> a.name();
                case Expr.Col c -> c.name();
                default -> throw new PlanException("name the expression " + e + " with as(name) (schema "
                        + input.schema() + ")");
            };
            out.add(new Plan.NamedExpr(name, Exprs.unalias(e)));
        }
        return project(input, out);
    }

    /** Every column as it is, with {@code name} replaced or added at the end. */
    public static Plan withColumn(Plan input, String name, Expr expr) {
        Map<String, Expr> cols = passThrough(input);
        cols.put(name, Exprs.unalias(expr));
        return project(input, named(cols));
    }

    public static Plan rename(Plan input, Map<String, String> renames) {
        List<Plan.NamedExpr> out = new ArrayList<>();
        for (String c : renames.keySet()) {
            input.schema().type(c);
        }
        for (String c : input.schema().names()) {
            out.add(new Plan.NamedExpr(renames.getOrDefault(c, c), Exprs.col(c)));
        }
        return project(input, out);
    }

    public static Plan drop(Plan input, List<String> columns) {
        Map<String, Expr> cols = passThrough(input);
        for (String c : columns) {
            input.schema().type(c);
            cols.remove(c);
        }
        return project(input, named(cols));
    }

    public static Plan aggregate(Plan input, List<String> keys, List<Plan.AggExpr> aggs) {
        if (aggs.isEmpty()) {
            throw new PlanException("agg needs at least one aggregate (schema " + input.schema() + ")");
        }
        List<TableSchema.Field> fields = new ArrayList<>();
        for (String k : keys) {
            fields.add(new TableSchema.Field(k, input.schema().type(k)));
        }
        for (Plan.AggExpr a : aggs) {
            DataType in = a.column() == null ? null : input.schema().type(a.column());
            DataType out = switch (a.fn()) {
                case COUNT, COUNT_ALL, COUNT_DISTINCT -> DataType.BIGINT;
                case MEAN, STD_DEV -> numeric(a, in, input.schema(), DataType.DOUBLE);
                case SUM -> numeric(a, in, input.schema(), sumType(in));
                case MIN, MAX, FIRST -> in;
            };
            fields.add(new TableSchema.Field(a.name(), out));
        }
        return new Plan.Aggregate(input, keys, aggs, new TableSchema(fields));
    }

    public static Plan join(Plan left, Plan right, List<String> keys, Plan.JoinType type) {
        if (keys.isEmpty()) {
            throw new PlanException("a join needs at least one key column (schemas " + left.schema() + " and " + right.schema() + ")");
        }
        List<TableSchema.Field> fields = new ArrayList<>(left.schema().fields());
        for (String k : keys) {
            DataType l = left.schema().type(k);
            DataType r = right.schema().type(k);
            if (!l.comparableWith(r)) {
                throw new PlanException("join key " + k + " is " + l + " on the left and " + r + " on the right");
            }
        }
        if (type == Plan.JoinType.INNER || type == Plan.JoinType.LEFT) {
            for (TableSchema.Field f : right.schema().fields()) {
                if (!keys.contains(f.name())) {
                    if (left.schema().has(f.name())) {
                        throw new PlanException("column " + f.name() + " is on both sides of the join: rename one "
                                + "(schemas " + left.schema() + " and " + right.schema() + ")");
                    }
                    fields.add(f);
                }
            }
        }
        return new Plan.Join(left, right, keys, type, new TableSchema(fields));
    }

    /**
     * {@code first.union(others)}: the inputs must have the same column names (in any order: matched by name) and
     * types; each is put in {@code first}'s column order.
     */
    public static Plan union(Plan first, List<Plan> others) {
        if (others.isEmpty()) {
            throw new PlanException("union needs at least one other frame (schema " + first.schema() + ")");
        }
        TableSchema schema = first.schema();
        List<Plan> inputs = new ArrayList<>(List.of(first));
        for (Plan other : others) {
            TableSchema s = other.schema();
            if (!new java.util.HashSet<>(s.names()).equals(new java.util.HashSet<>(schema.names()))) {
                throw new PlanException("union needs the same columns: " + s + " against " + schema);
            }
            for (TableSchema.Field f : schema.fields()) {
                if (!s.type(f.name()).equals(f.type())) {
                    throw new PlanException("union: column " + f.name() + " is " + s.type(f.name()) + " in " + s
                            + " but " + f.type() + " in " + schema + " (cast one)");
                }
            }
            inputs.add(s.names().equals(schema.names()) ? other : select(other, schema.names().stream().map(Exprs::col).map(Expr.class::cast).toList()));
        }
        return new Plan.Union(inputs, schema);
    }

    public static Plan mapPartitions(Plan input, Object fn, String name, TableSchema schema) {
        if (schema.fields().isEmpty()) {
            throw new PlanException("mapPartitions needs an output schema of at least one column (input schema "
                    + input.schema() + ")");
        }
        return new Plan.MapPartitions(input, fn, name, schema);
    }

    public static Plan distinct(Plan input) {
        return new Plan.Distinct(input);
    }

    public static Plan limit(Plan input, long n) {
        if (n < 0) {
            throw new PlanException("limit needs n >= 0, not " + n + " (schema " + input.schema() + ")");
        }
        return new Plan.Limit(input, n);
    }

    /** Integers sum to BIGINT, decimals to DECIMAL(38, their scale) (exact, as DuckDB), anything else to DOUBLE. */
    static DataType sumType(DataType in) {
        if (in.isInteger()) {
            return DataType.BIGINT;
        }
        var decimal = java.util.regex.Pattern.compile("DECIMAL\\(\\d+, ?(\\d+)\\)").matcher(in.sql());
        return decimal.matches() ? new DataType("DECIMAL(38," + decimal.group(1) + ")") : DataType.DOUBLE;
    }

    private static DataType numeric(Plan.AggExpr a, DataType in, TableSchema schema, DataType out) {
        if (!in.isNumeric()) {
            throw new PlanException(a.fn().name().toLowerCase() + "(" + a.column() + ") needs a number, got " + in
                    + " (schema " + schema + ")");
        }
        return out;
    }

    private static Map<String, Expr> passThrough(Plan input) {
        Map<String, Expr> cols = new LinkedHashMap<>();
        for (String c : input.schema().names()) {
            cols.put(c, Exprs.col(c));
        }
        return cols;
    }

    private static List<Plan.NamedExpr> named(Map<String, Expr> cols) {
        return cols.entrySet().stream().map(e -> new Plan.NamedExpr(e.getKey(), e.getValue())).toList();
    }
}
