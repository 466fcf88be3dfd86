package io.partita.client.table.physical;

import io.partita.client.table.plan.Plan;
import io.partita.client.table.plan.ScanPartition;
import io.partita.common.table.StageInput;
import io.partita.common.table.StageOutput;
import io.partita.common.table.TableStage;
import java.util.ArrayList;
import java.util.List;

/**
 * Cuts an optimised plan into tasks. The partition-wise chain (scan, filters, projections, and the partial step of
 * an aggregate on top) is fused into one task per partition running one query; an aggregate then adds a tree of
 * combine tasks, each reading at most {@code splitEvery} partials, the last one also computing the final columns.
 * Pure: no I/O, so plans are tested without a cluster.
 */
public final class StagePlanner {
    public static final int DEFAULT_SPLIT_EVERY = 8;

    /**
     * @param job          a unique name for this run, part of every task key
     * @param limit        rows to keep per partition ({@code head}), or null
     * @param parquetDir   with a folder, the result tasks write one Parquet file each there instead of returning tables
     * @param splitEvery   partials per combine task, at least 2
     * @param partitions   the partitions to read (indices, for {@code head}), or null for all
     */
    public record Options(String job, Long limit, String parquetDir, int splitEvery, List<Integer> partitions,
                          long maxBroadcastBytes) {
        public Options {
            if (splitEvery < 2) {
                throw new IllegalArgumentException("splitEvery must be at least 2, not " + splitEvery);
            }
        }

        public Options(String job, Long limit, String parquetDir, int splitEvery, List<Integer> partitions) {
            this(job, limit, parquetDir, splitEvery, partitions,
                    Long.getLong(MAX_BROADCAST_PROPERTY, DEFAULT_MAX_BROADCAST_BYTES));
        }

        public static Options of(String job) {
            return new Options(job, null, null, DEFAULT_SPLIT_EVERY, null);
        }

        public Options withMaxBroadcastBytes(long bytes) {
            return new Options(job, limit, parquetDir, splitEvery, partitions, bytes);
        }

        public Options withLimit(long n) {
            return new Options(job, n, parquetDir, splitEvery, partitions, maxBroadcastBytes);
        }

        public Options withParquetDir(String dir) {
            return new Options(job, limit, dir, splitEvery, partitions, maxBroadcastBytes);
        }

        public Options withSplitEvery(int n) {
            return new Options(job, limit, parquetDir, n, partitions, maxBroadcastBytes);
        }

        public Options withPartitions(List<Integer> indices) {
            return new Options(job, limit, parquetDir, splitEvery, List.copyOf(indices), maxBroadcastBytes);
        }
    }

    private StagePlanner() {}

    public static PhysicalPlan plan(Plan plan, Options o) {
        Plan.Aggregate agg = ChainSql.aggregateOf(plan); // the steps above it run in the final task
        Plan chain = agg != null ? agg.input() : plan;
        Plan source = ChainSql.sourceOf(chain);
        ChainSql fused = new ChainSql(chain);
        if (agg != null && !ChainSql.joinsOf(plan).isEmpty()) {
            throw new io.partita.client.table.expr.PlanException("a join after an aggregate is not supported yet: "
                    + "persist the aggregate, then join the frame it returns");
        }
        String chainSql = fused.sql(chain);
        AggregateSql aggSql = agg == null ? null : new AggregateSql(agg);
        String partSql = agg == null ? chainSql + (o.limit() == null ? "" : " LIMIT " + o.limit()) : aggSql.partial(chainSql);
        List<Integer> indices = o.partitions() != null ? o.partitions()
                : java.util.stream.IntStream.range(0, partitions(source)).boxed().toList();

        List<StageTask> tasks = new ArrayList<>();
        List<PhysicalPlan.Stage> stages = new ArrayList<>();
        java.util.Map<String, Object> external = new java.util.HashMap<>(external(source, indices));
        List<StageInput> broadcastInputs = new ArrayList<>();
        List<String> broadcastKeys = new ArrayList<>();
        for (Plan.Join j : fused.joins()) { // each broadcast side runs once, before the probe tasks that read it all
            checkBroadcastSize(j, o);
            PhysicalPlan side = plan(j.right(), new Options(o.job() + "b" + broadcastInputs.size(), null, null,
                    o.splitEvery(), null, o.maxBroadcastBytes()));
            tasks.addAll(side.tasks());
            external.putAll(side.external());
            side.stages().forEach(s -> stages.add(new PhysicalPlan.Stage("broadcast side " + fused.inputOf(j) + ": "
                    + s.name(), s.tasks(), s.sql())));
            broadcastInputs.add(new StageInput.Tables(fused.inputOf(j), side.outputs().size()));
            broadcastKeys.addAll(side.outputs());
        }
        List<String> level = new ArrayList<>();
        String stageName = agg == null ? fusedName(chain) : fusedName(chain) + " + partial aggregate";
        String prefix = stageName.replaceAll("[^a-z]+", "_") + "." + o.job() + "-";
        for (int i : indices) {
            StageOutput out = agg == null ? output(o, i) : new StageOutput.Table();
            String key = prefix + i;
            if (source instanceof Plan.Scan scan) {
                StageInput in = scan.partitions().get(i).input(ChainSql.INPUT, scan.columns());
                tasks.add(new StageTask(key, new TableStage(partSql, with(in, broadcastInputs), out), broadcastKeys));
            } else {
                Plan.Persisted held = (Plan.Persisted) source;
                List<String> inputs = new ArrayList<>(List.of(held.keys().get(i)));
                inputs.addAll(broadcastKeys);
                tasks.add(new StageTask(key, new TableStage(partSql, with(new StageInput.Tables(ChainSql.INPUT, 1),
                        broadcastInputs), out), inputs));
            }
            level.add(key);
        }
        stages.add(new PhysicalPlan.Stage(stageName, indices.size(), "WITH in0 AS (" + (source instanceof Plan.Scan scan
                ? (scan.partitions().getFirst().csv() == null ? "Parquet rows" : "CSV lines") + " of a partition, columns "
                + scan.columns() : "a persisted partition") + ") " + partSql));
        if (agg == null) {
            return new PhysicalPlan(tasks, level, stages, external);
        }
        int depth = 0;
        while (true) {
            boolean last = level.size() <= o.splitEvery();
            List<String> next = new ArrayList<>();
            String sql = aggSql.combine(ChainSql.INPUT, last);
            if (last && plan != agg) {
                sql = new ChainSql(plan).sql(plan, agg, sql);
            }
            for (int start = 0; start < level.size(); start += o.splitEvery()) {
                List<String> group = level.subList(start, Math.min(level.size(), start + o.splitEvery()));
                String key = (last ? "aggregate_final." : "aggregate_combine_" + depth + ".") + o.job() + "-" + next.size();
                tasks.add(new StageTask(key, new TableStage(sql, List.of(new StageInput.Tables(ChainSql.INPUT, group.size())),
                        last ? output(o, 0) : new StageOutput.Table()), group));
                next.add(key);
            }
            String finalName = "combine + final aggregate" + (plan == agg ? "" : " + " + fusedName(plan, agg));
            stages.add(new PhysicalPlan.Stage(last ? finalName : "combine partial aggregates",
                    next.size(), "WITH in0 AS (up to " + o.splitEvery() + " partials) " + sql));
            level = next;
            depth++;
            if (last) {
                return new PhysicalPlan(tasks, level, stages, external);
            }
        }
    }

    /** Uncompressed bytes a scan under a broadcast side may read, unless a system property says otherwise. */
    public static final long DEFAULT_MAX_BROADCAST_BYTES = 256L << 20;
    public static final String MAX_BROADCAST_PROPERTY = "partita.table.max-broadcast-bytes";

    /**
     * Refuses a broadcast side that reads more Parquet than the limit, filters aside (an upper bound); one with an
     * aggregate or persisted partitions is not checked (its size is not known before it runs).
     */
    static void checkBroadcastSize(Plan.Join j, Options o) {
        if (ChainSql.aggregateOf(j.right()) != null || !(ChainSql.sourceOf(j.right()) instanceof Plan.Scan scan)) {
            return;
        }
        long bytes = scan.partitions().stream().mapToLong(ScanPartition::bytes).sum();
        if (bytes > o.maxBroadcastBytes()) {
            throw new io.partita.client.table.expr.PlanException("the broadcast side of the join on " + j.keys()
                    + " reads " + (bytes >> 20) + " MiB of " + scan.source() + " (uncompressed), over the "
                    + (o.maxBroadcastBytes() >> 20) + " MiB limit: every task of the other side receives all of it. "
                    + "Filter or aggregate it first, or raise -D" + MAX_BROADCAST_PROPERTY);
        }
    }

    private static List<StageInput> with(StageInput first, List<StageInput> more) {
        List<StageInput> all = new ArrayList<>(List.of(first));
        all.addAll(more);
        return all;
    }

    private static java.util.Map<String, Object> external(Plan source, List<Integer> indices) {
        java.util.Map<String, Object> out = new java.util.HashMap<>();
        if (source instanceof Plan.Persisted held) {
            indices.forEach(i -> out.put(held.keys().get(i), held.handles().get(i)));
        }
        return out;
    }

    /** Partitions of a chain's source. */
    public static int partitions(Plan source) {
        return switch (source) {
            case Plan.Scan s -> s.partitions().size();
            case Plan.Persisted p -> p.keys().size();
            default -> partitions(ChainSql.sourceOf(source));
        };
    }

    private static StageOutput output(Options o, int index) {
        return o.parquetDir() == null ? new StageOutput.Table()
                : new StageOutput.ParquetFile(o.parquetDir(), String.format("part-%05d.parquet", index));
    }

    /** What a fused chain does, bottom-up: "scan + filter + project". */
    static String fusedName(Plan chain) {
        return fusedName(chain, null);
    }

    /** The steps of {@code chain} above {@code below} (exclusive), bottom-up. */
    static String fusedName(Plan chain, Plan below) {
        List<String> steps = new ArrayList<>();
        for (Plan p = chain; p != below; p = p.inputs().getFirst()) {
            steps.addFirst(switch (p) {
                case Plan.Scan s -> s.filter() == null ? "scan" : "scan + filter";
                case Plan.Persisted held -> "persisted";
                case Plan.Join j -> "broadcast join";
                case Plan.Filter f -> "filter";
                case Plan.Project pr -> "project";
                case Plan.Aggregate a -> "aggregate";
            });
            if (p.inputs().isEmpty()) {
                break;
            }
        }
        return String.join(" + ", steps);
    }
}
