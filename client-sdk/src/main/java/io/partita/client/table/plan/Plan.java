package io.partita.client.table.plan;

import io.partita.client.table.expr.Expr;
import io.partita.client.table.expr.TableSchema;
import java.util.List;
import java.util.Objects;

/**
 * A logical table plan: an immutable tree, typed when each node is built ({@link Plans} checks columns and types).
 * The optimiser rewrites it; the stage planner cuts it into tasks.
 */
public sealed interface Plan {
    TableSchema schema();

    /** The inputs of this node. */
    List<Plan> inputs();

    /**
     * Parquet partitions, reading {@code columns} (projection pushed down) and keeping the rows where
     * {@code filter} holds (filter pushed into the reader; null for all rows).
     */
    record Scan(String source, List<ScanPartition> partitions, TableSchema fileSchema, List<String> columns,
                Expr filter) implements Plan {
        public Scan {
            partitions = List.copyOf(partitions);
            columns = List.copyOf(columns);
        }

        @Override
        public TableSchema schema() {
            return new TableSchema(columns.stream().map(c -> new TableSchema.Field(c, fileSchema.type(c))).toList());
        }

        @Override
        public List<Plan> inputs() {
            return List.of();
        }
    }

    /**
     * Partitions already computed and held on the workers ({@code persist()}): one key each, read through the Arrow
     * C stream. {@code handles} are what keeps each key alive (futures on a cluster), opaque to the planner.
     */
    record Persisted(List<String> keys, TableSchema schema, List<Object> handles) implements Plan {
        public Persisted {
            keys = List.copyOf(keys);
            handles = List.copyOf(handles);
        }

        @Override
        public List<Plan> inputs() {
            return List.of();
        }
    }

    record Filter(Plan input, Expr predicate) implements Plan {
        public Filter {
            Objects.requireNonNull(predicate, "predicate");
        }

        @Override
        public TableSchema schema() {
            return input.schema();
        }

        @Override
        public List<Plan> inputs() {
            return List.of(input);
        }
    }

    /** The output columns, each an expression under its name. */
    record Project(Plan input, List<NamedExpr> columns, TableSchema schema) implements Plan {
        public Project {
            columns = List.copyOf(columns);
        }

        @Override
        public List<Plan> inputs() {
            return List.of(input);
        }
    }

    /** {@code groupBy(keys).agg(aggs)}; no keys is a whole-table aggregate (one row). */
    record Aggregate(Plan input, List<String> keys, List<AggExpr> aggs, TableSchema schema) implements Plan {
        public Aggregate {
            keys = List.copyOf(keys);
            aggs = List.copyOf(aggs);
        }

        @Override
        public List<Plan> inputs() {
            return List.of(input);
        }
    }

    /**
     * A broadcast join: every partition of {@code left} (the probe side) joins all of {@code right} (computed once and
     * sent to every probe task: keep it small), on columns of the same names. Inner and left joins add the right
     * side's other columns; semi and anti joins keep the left side's rows that have (or have not) a match.
     */
    record Join(Plan left, Plan right, List<String> keys, JoinType type, TableSchema schema) implements Plan {
        public Join {
            keys = List.copyOf(keys);
        }

        @Override
        public List<Plan> inputs() {
            return List.of(left, right);
        }
    }

    enum JoinType { INNER, LEFT, SEMI, ANTI }

    /**
     * The rows of every input, one after another ({@code UNION ALL}): the partitions of the first, then of the next.
     * {@link Plans#union} checks that the inputs have the same columns (by name) and types and puts each in the
     * first's order, so every input's schema is {@code schema}.
     */
    record Union(List<Plan> inputs, TableSchema schema) implements Plan {
        public Union {
            inputs = List.copyOf(inputs);
            if (inputs.size() < 2) {
                throw new IllegalArgumentException("a union needs at least two inputs");
            }
        }
    }

    /**
     * User Java code over each partition of its input ({@code mapPartitions}): a task of its own per partition (the
     * DuckDB chain below it runs first, one task per partition), its result checked against {@code schema} when it
     * runs. {@code fn} is the task function ({@code PartitionMap}), opaque to the planner.
     */
    record MapPartitions(Plan input, Object fn, String name, TableSchema schema) implements Plan {
        @Override
        public List<Plan> inputs() {
            return List.of(input);
        }
    }

    /** The distinct rows of its input: planned as an aggregate keyed on every column (partials, then combines). */
    record Distinct(Plan input) implements Plan {
        @Override
        public TableSchema schema() {
            return input.schema();
        }

        @Override
        public List<Plan> inputs() {
            return List.of(input);
        }
    }

    /** The first {@code n} rows of its input, in partition order (and row order within a partition). */
    record Limit(Plan input, long n) implements Plan {
        public Limit {
            if (n < 0) {
                throw new IllegalArgumentException("a limit needs n >= 0, not " + n);
            }
        }

        @Override
        public TableSchema schema() {
            return input.schema();
        }

        @Override
        public List<Plan> inputs() {
            return List.of(input);
        }
    }

    record NamedExpr(String name, Expr expr) {}

    /** One aggregate: {@code fn(column) AS name}; the column is null for {@link AggFn#COUNT_ALL}. */
    record AggExpr(AggFn fn, String column, String name) {}

    enum AggFn { SUM, COUNT, COUNT_ALL, COUNT_DISTINCT, MEAN, STD_DEV, MIN, MAX, FIRST }

    /** Whether this node is the same as {@code other} (rules return their input when nothing changed). */
    static boolean same(Plan a, Plan b) {
        return a == b;
    }
}
