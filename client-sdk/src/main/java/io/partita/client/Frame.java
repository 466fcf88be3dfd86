package io.partita.client;

import io.partita.client.table.expr.Expr;
import io.partita.client.table.expr.Exprs;
import io.partita.client.table.expr.TableSchema;
import io.partita.client.table.optimizer.Optimizer;
import io.partita.client.table.physical.PhysicalPlan;
import io.partita.client.table.physical.StagePlanner;
import io.partita.client.table.physical.TableExecutor;
import io.partita.client.table.plan.Plan;
import io.partita.client.table.plan.PlanPrinter;
import io.partita.client.table.plan.Plans;
import io.partita.common.data.ArrowMemory;
import io.partita.common.data.Partition;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BigIntVector;

/**
 * A lazy, partitioned table, like a Dask DataFrame: each method returns a new frame over a bigger plan, checked
 * against the schema at once (a wrong column fails here, naming it and the schema); nothing runs until
 * {@link #compute}, {@link #count}, {@link #head}, {@link #toParquet} or {@link #explain}. Then the plan is
 * optimised, cut into stages (the partition-wise steps fused into one DuckDB query per partition) and run on the
 * workers as ordinary tasks.
 */
public final class Frame {
    private final TableExecutor executor;
    private final Plan plan;
    private final BufferAllocator allocator;

    Frame(TableExecutor executor, Plan plan, BufferAllocator allocator) {
        this.executor = executor;
        this.plan = plan;
        this.allocator = allocator;
    }

    Frame with(Plan next) {
        return new Frame(executor, next, allocator);
    }

    Plan plan() {
        return plan;
    }

    public TableSchema schema() {
        return plan.schema();
    }

    /** Partitions of the result: the source's (each one task of the fused stage), 1 after an aggregate or a limit. */
    public int npartitions() {
        return StagePlanner.outputPartitions(plan);
    }

    public Frame select(String... columns) {
        return with(Plans.select(plan, Arrays.stream(columns).map(Exprs::col).toList()));
    }

    /** Columns and named expressions ({@code col("a").add(1).as("b")}). */
    public Frame select(Expr... exprs) {
        return with(Plans.select(plan, List.of(exprs)));
    }

    public Frame filter(Expr predicate) {
        return with(Plans.filter(plan, predicate));
    }

    /** Adds a column at the end, or replaces the one of that name in place. */
    public Frame withColumn(String name, Expr expr) {
        return with(Plans.withColumn(plan, name, expr));
    }

    public Frame rename(Map<String, String> renames) {
        return with(Plans.rename(plan, renames));
    }

    public Frame rename(String from, String to) {
        return rename(Map.of(from, to));
    }

    public Frame drop(String... columns) {
        return with(Plans.drop(plan, List.of(columns)));
    }

    /** Inner join with {@code other} on columns of the same names; {@code other} is broadcast to every partition. */
    public Frame join(Frame other, String... keys) {
        return join(other, Plan.JoinType.INNER, keys);
    }

    /**
     * A broadcast join: {@code other} is computed once and sent whole to every task of this frame's partitions, so
     * keep it small (a dimension table, a filtered or aggregated frame). {@code LEFT} keeps this frame's rows without
     * a match; {@code SEMI}/{@code ANTI} keep this frame's columns for rows with / without one.
     */
    public Frame join(Frame other, Plan.JoinType type, String... keys) {
        if (other.executor != executor) {
            throw new IllegalArgumentException("both sides of a join must come from the same client");
        }
        return with(Plans.join(plan, other.plan, List.of(keys), type));
    }

    /** The rows of this frame, then of each other (same column names, matched by name, and types). */
    public Frame union(Frame... others) {
        List<Plan> plans = new ArrayList<>();
        for (Frame f : others) {
            if (f.executor != executor) {
                throw new IllegalArgumentException("the frames of a union must come from the same client");
            }
            plans.add(f.plan);
        }
        return with(Plans.union(plan, plans));
    }

    /**
     * Runs {@code fn} (shipped to the workers like any task function) over each partition, as an Arrow table: it
     * returns a new partition (made with {@code ArrowMemory.allocator()}) of exactly {@code outputSchema}'s columns,
     * checked when it runs. A stage of its own: the steps before it run as one DuckDB query per partition, the steps
     * after it read its results.
     */
    public Frame mapPartitions(io.partita.common.fn.Fn1<Partition, Partition> fn, TableSchema outputSchema) {
        var declared = outputSchema.fields().stream().map(f -> f.name() + " " + f.type().sql()).toList();
        return with(Plans.mapPartitions(plan, new io.partita.common.table.PartitionMap(fn, declared),
                io.partita.common.fn.Functions.nameOf(fn), outputSchema));
    }

    /** The distinct rows: a partial distinct per partition, then combines (fine for few distinct rows). */
    public Frame distinct() {
        return with(Plans.distinct(plan));
    }

    /** The first {@code n} rows, in partition order: reads only the partitions it needs. */
    public Frame limit(long n) {
        return with(Plans.limit(plan, n));
    }

    public GroupedFrame groupBy(String... keys) {
        return new GroupedFrame(this, List.of(keys));
    }

    /** Whole-table aggregates: one row. */
    public Frame agg(Agg... aggs) {
        return groupBy().agg(aggs);
    }

    /** The optimised plan and the stages it runs as. */
    public String explain() {
        Plan optimised = Optimizer.optimize(plan);
        return "== optimised plan ==\n" + PlanPrinter.print(optimised) + "== stages ==\n"
                + StagePlanner.plan(optimised, executor.options("explain")).explain();
    }

    /** The whole result as one Arrow table in the client (the caller closes it). */
    public Partition compute() {
        Plan optimised = Optimizer.optimize(plan);
        Plan.Limit top = LimitRounds.topLimit(optimised);
        if (top != null) { // a limit over a chain of a source: read partitions in rounds, only as many as it takes
            return new LimitRounds(this::run, executor::options, allocator).run(LimitRounds.withoutLimit(optimised), top.n(), newJob());
        }
        return run(optimised, executor.options(newJob()));
    }

    public long count() {
        try (Partition p = groupBy().agg(Agg.countAll().as("n")).compute()) {
            return ((BigIntVector) p.batches().getFirst().getVector("n")).get(0);
        }
    }

    /** The first {@code n} rows ({@code limit(n).compute()}), reading partitions in order and only as many as it takes. */
    public Partition head(int n) {
        if (n < 0) {
            throw new IllegalArgumentException("head needs n >= 0, not " + n);
        }
        return limit(n).compute();
    }

    /**
     * Computes this frame and keeps its partitions on the workers (as segments, spilled like any table); the frame
     * returned starts from them, so later plans do not read the source again. They stay while that frame is
     * reachable: its futures are released when the garbage collector finds it unreachable, or when the client closes.
     */
    public Frame persist() {
        Plan optimised = Optimizer.optimize(plan);
        PhysicalPlan physical = StagePlanner.plan(optimised, executor.options(newJob()));
        List<Object> handles = executor.persist(physical);
        return with(new Plan.Persisted(physical.outputs(), optimised.schema(), handles));
    }

    /** Writes one Parquet file per partition into {@code folder} (a path the workers can write); returns the rows. */
    public long toParquet(String folder) {
        String dir = java.nio.file.Path.of(folder).toAbsolutePath().toString();
        PhysicalPlan physical = StagePlanner.plan(Optimizer.optimize(plan), executor.options(newJob()).withParquetDir(dir));
        long rows = 0;
        for (Object v : executor.run(physical)) {
            rows += (Long) v;
        }
        return rows;
    }

    private Partition run(Plan optimised, StagePlanner.Options options) {
        List<Partition> parts = new ArrayList<>();
        for (Object v : executor.run(StagePlanner.plan(optimised, options))) {
            parts.add((Partition) v);
        }
        return Tables.concat(parts, allocator);
    }

    private static String newJob() {
        byte[] b = new byte[6];
        ThreadLocalRandom.current().nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    /** A frame over partitions of the client's (one schema), scattered to the workers; the caller keeps them. */
    static Frame fromTables(TableExecutor executor, List<Partition> partitions, BufferAllocator allocator) {
        if (partitions.isEmpty()) {
            throw new IllegalArgumentException("fromTables needs at least one partition");
        }
        var schema = partitions.getFirst().schema();
        for (int i = 1; i < partitions.size(); i++) {
            if (!partitions.get(i).schema().equals(schema)) {
                throw new IllegalArgumentException("partition " + i + " has the schema " + partitions.get(i).schema()
                        + " but partition 0 has " + schema + ": the partitions of one table share a schema");
            }
        }
        var tableSchema = io.partita.client.table.expr.ArrowTypes.schema(schema);
        List<String> keys = new ArrayList<>();
        List<Object> handles = new ArrayList<>();
        for (Partition p : partitions) {
            TableExecutor.Held held = executor.put(p);
            keys.add(held.key());
            handles.add(held.handle());
        }
        return new Frame(executor, new Plan.Persisted(keys, tableSchema, handles), allocator);
    }

    /**
     * A frame over partitions that tasks compute (futures of Arrow tables), in order. The schema is read when the
     * frame is built by a tiny task per future ({@code SELECT * FROM in0 LIMIT 0}: it waits for that future and
     * returns an empty table), so a future that failed, or one whose table has other columns than the first's, fails
     * here, naming it. The frame keeps the futures, as a persisted frame does; the caller keeps them too.
     */
    static <F> Frame fromFutures(TableExecutor executor, List<F> futures, java.util.function.Function<F, String> keyOf,
                                 BufferAllocator allocator) {
        if (futures.isEmpty()) {
            throw new IllegalArgumentException("fromFutures needs at least one future");
        }
        String job = newJob();
        String sql = "SELECT * FROM " + "in0 LIMIT 0";
        List<io.partita.client.table.physical.StageTask> probes = new ArrayList<>();
        Map<String, Object> external = new java.util.HashMap<>();
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < futures.size(); i++) {
            String key = keyOf.apply(futures.get(i));
            keys.add(key);
            external.put(key, futures.get(i));
            probes.add(new io.partita.client.table.physical.StageTask("schema_probe." + job + "-" + i,
                    new io.partita.common.table.TableStage(sql, List.of(new io.partita.common.table.StageInput.Tables("in0", 1)),
                            new io.partita.common.table.StageOutput.Table()), List.of(key)));
        }
        var physical = new PhysicalPlan(probes, probes.stream().map(io.partita.client.table.physical.StageTask::key).toList(),
                List.of(new PhysicalPlan.Stage("schema probe", probes.size(), sql)), external);
        TableSchema schema = null;
        List<Object> empties = executor.run(physical);
        try {
            for (int i = 0; i < empties.size(); i++) {
                TableSchema s = io.partita.client.table.expr.ArrowTypes.schema(((Partition) empties.get(i)).schema());
                if (schema != null && !s.equals(schema)) {
                    throw new io.partita.client.table.expr.PlanException("the table of " + keys.get(i) + " has the schema "
                            + s + " but " + keys.getFirst() + "'s has " + schema + ": the partitions of one table share a schema");
                }
                schema = s;
            }
        } finally {
            empties.forEach(p -> ((Partition) p).close());
        }
        return new Frame(executor, new Plan.Persisted(keys, schema, new ArrayList<>(futures)), allocator);
    }

    /** A frame over CSV files the workers read, in byte ranges cut at line ends ({@link CsvOptions}). */
    static Frame readCsv(TableExecutor executor, String pathOrGlob, CsvOptions options, BufferAllocator allocator) {
        String path = pathOrGlob.startsWith("/") ? pathOrGlob : java.nio.file.Path.of("").toAbsolutePath() + "/" + pathOrGlob;
        var ds = executor.inspectCsv(path, options.toFormat());
        return new Frame(executor, io.partita.client.table.plan.CsvScans.scan(ds, options.partitionBytes(),
                options.splitFiles()), allocator == null ? ArrowMemory.allocator() : allocator);
    }

    /** A frame over a Parquet path, partitioned by row groups of about {@code partitionBytes} each. */
    static Frame readParquet(TableExecutor executor, String pathOrGlob, long partitionBytes, BufferAllocator allocator) {
        // a relative path is the client's: made absolute here, since workers run elsewhere
        String path = pathOrGlob.startsWith("/") ? pathOrGlob : java.nio.file.Path.of("").toAbsolutePath() + "/" + pathOrGlob;
        var ds = executor.inspect(path);
        return new Frame(executor, io.partita.client.table.plan.Scans.scan(ds, partitionBytes),
                allocator == null ? ArrowMemory.allocator() : allocator);
    }
}
