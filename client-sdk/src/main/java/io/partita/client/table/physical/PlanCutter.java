package io.partita.client.table.physical;

import io.partita.client.table.plan.Plan;
import io.partita.client.table.plan.ScanPartition;
import io.partita.common.table.StageInput;
import io.partita.common.table.StageOutput;
import io.partita.common.table.TableStage;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.IntStream;

/**
 * The recursive walk behind {@link StagePlanner#plan}. A plan is a partition-wise chain (filters, projections,
 * broadcast joins: one task per partition, one fused query) over a source; a source is a scan, persisted partitions,
 * or a node whose partitions earlier tasks of the same plan compute (an aggregate, a distinct, a limit, a union),
 * planned first and read by the chain's tasks through the Arrow C stream. An aggregate, a distinct and a limit end
 * in one final task, into which the filters and projections above them are fused.
 */
final class PlanCutter {
    private final StagePlanner.Options o;
    private final List<StageTask> tasks = new ArrayList<>();
    private final List<PhysicalPlan.Stage> stages = new ArrayList<>();
    private final Map<String, Object> external = new HashMap<>();
    private int subJobs;
    private long ordinals;
    private int outputs; // the result tasks' Parquet file numbers

    PlanCutter(StagePlanner.Options o) {
        this.o = o;
    }

    PhysicalPlan cut(Plan plan) {
        List<String> out = build(plan, true, o.job());
        return new PhysicalPlan(tasks, out, stages, external);
    }

    /** The keys of {@code plan}'s partitions, in order; with {@code top}, its tasks make the plan's result. */
    private List<String> build(Plan plan, boolean top, String job) {
        if (plan instanceof Plan.Union u) {
            List<String> out = new ArrayList<>();
            u.inputs().forEach(in -> out.addAll(build(in, top, subJob(job))));
            return out;
        }
        if (plan instanceof Plan.MapPartitions m && !(top && o.parquetDir() != null)) {
            return mapPartitions(m, job);
        }
        Plan last = finalOf(plan);
        if (last == null) {
            return partitionWise(plan, sql -> sql, "", top, top ? o.partitions() : null, top ? o.limit() : null, job);
        }
        return List.of(switch (last) {
            case Plan.Aggregate a -> aggregate(plan, a, "aggregate", top, job);
            case Plan.Distinct d -> aggregate(plan, new Plan.Aggregate(d.input(), d.schema().names(), List.of(), d.schema()),
                    "distinct", top, job);
            case Plan.Limit l -> limit(plan, l, top, job);
            default -> throw new IllegalStateException("not a final step: " + last);
        });
    }

    /**
     * The user's function, a task of its own per partition of its input (planned first: its DuckDB chain, one task
     * per partition); the steps after it read its results as computed partitions.
     */
    private List<String> mapPartitions(Plan.MapPartitions m, String job) {
        List<String> inputs = build(m.input(), false, subJob(job));
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < inputs.size(); i++) {
            String key = "map_partitions." + job + "-" + i;
            tasks.add(StageTask.java(key, m.fn(), inputs.get(i)));
            keys.add(key);
        }
        stages.add(new PhysicalPlan.Stage("map partitions", keys.size(), "Java function " + m.name() + " -> " + m.schema()));
        return keys;
    }

    /** An aggregate, distinct or limit under only filters and projections (those run in its final task), or null. */
    static Plan finalOf(Plan plan) {
        return switch (plan) {
            case Plan.Aggregate a -> a;
            case Plan.Distinct d -> d;
            case Plan.Limit l -> l;
            case Plan.Filter f -> finalOf(f.input());
            case Plan.Project p -> finalOf(p.input());
            default -> null;
        };
    }

    /** Partials a whole-table aggregate's final task reads at most (each one row). */
    static final int WHOLE_TABLE_FAN_IN = 256;

    /**
     * Partials per partition, then a tree of combines of at most {@code splitEvery} each, the last one final. A
     * whole-table aggregate's partials are one row each: one final task reads up to {@link #WHOLE_TABLE_FAN_IN} of
     * them, as a tree level would cost a stage (a round trip and a task) to save nothing.
     */
    private String aggregate(Plan plan, Plan.Aggregate agg, String label, boolean top, String job) {
        AggregateSql aggSql = new AggregateSql(agg);
        List<String> level = partitionWise(agg.input(), aggSql::partial, " + partial " + label, false, null, null, job);
        int fanIn = agg.keys().isEmpty() ? Math.max(o.splitEvery(), WHOLE_TABLE_FAN_IN) : o.splitEvery();
        for (int depth = 0; ; depth++) {
            boolean last = level.size() <= fanIn;
            String sql = aggSql.combine(ChainSql.INPUT, last);
            if (last) {
                sql = above(plan, finalOf(plan), sql);
            }
            List<String> next = new ArrayList<>();
            for (int start = 0; start < level.size(); start += fanIn) {
                List<String> group = level.subList(start, Math.min(level.size(), start + fanIn));
                String key = (last ? label + "_final." : label + "_combine_" + depth + ".") + job + "-" + next.size();
                tasks.add(new StageTask(key, new TableStage(sql, List.of(StageInput.Tables.partials(ChainSql.INPUT, group.size())),
                        last ? output(top) : new StageOutput.Table()), group));
                next.add(key);
            }
            Plan below = finalOf(plan);
            stages.add(new PhysicalPlan.Stage(last ? "combine + final " + label + aboveName(plan, below)
                    : "combine partial " + label + "s", next.size(), "WITH in0 AS (up to " + fanIn + " partials) " + sql));
            if (last) {
                return next.getFirst();
            }
            level = next;
        }
    }

    /** The first n rows of each partition it needs, then one task keeping the first n of them, in order. */
    private String limit(Plan plan, Plan.Limit l, boolean top, String job) {
        List<String> parts = partitionWise(l.input(), sql -> sql + " LIMIT " + l.n(), " + limit", false,
                neededPartitions(l), null, job);
        String sql = above(plan, l, "SELECT * FROM " + ChainSql.INPUT + " LIMIT " + l.n());
        String key = "limit_final." + job + "-0";
        tasks.add(new StageTask(key, new TableStage(sql, List.of(new StageInput.Tables(ChainSql.INPUT, parts.size())),
                output(top)), parts));
        stages.add(new PhysicalPlan.Stage("limit" + aboveName(plan, l), 1, "WITH in0 AS (the partitions' first rows, in order) " + sql));
        return key;
    }

    /**
     * The partitions a limit reads when their row counts are known before running (a scan with no filter under
     * only projections: the Parquet metadata counts the rows), or null for all of them (a filter may keep few rows).
     */
    static List<Integer> neededPartitions(Plan.Limit l) {
        Plan p = l.input();
        while (p instanceof Plan.Project pr) {
            p = pr.input();
        }
        if (!(p instanceof Plan.Scan scan) || scan.filter() != null) {
            return null;
        }
        List<Integer> out = new ArrayList<>();
        long rows = 0;
        for (int i = 0; i < scan.partitions().size() && (out.isEmpty() || rows < l.n()); i++) {
            ScanPartition part = scan.partitions().get(i);
            rows += part.rowEnd() - part.rowStart();
            out.add(i);
        }
        return out;
    }

    /**
     * One task per partition of the chain's source, each running the chain's query wrapped by {@code wrap} (a
     * partial aggregate, a limit). Over a union, the chain runs over each of its inputs' partitions.
     */
    private List<String> partitionWise(Plan chain, UnaryOperator<String> wrap, String suffix, boolean top,
                                       List<Integer> only, Long limit, String job) {
        if (chain instanceof Plan.Union u) {
            List<String> out = new ArrayList<>();
            u.inputs().forEach(in -> out.addAll(partitionWise(in, wrap, suffix, top, null, limit, subJob(job))));
            return out;
        }
        Plan source = ChainSql.sourceOf(chain);
        ChainSql fused = new ChainSql(chain);
        List<StageInput> broadcastInputs = new ArrayList<>();
        List<String> broadcastKeys = new ArrayList<>();
        for (Plan.Join j : fused.joins()) { // each broadcast side runs once, before the probe tasks that read it all
            StagePlanner.checkBroadcastSize(j, o);
            int before = stages.size();
            List<String> side = build(j.right(), false, subJob(job));
            for (int s = before; s < stages.size(); s++) {
                PhysicalPlan.Stage st = stages.get(s);
                stages.set(s, new PhysicalPlan.Stage("broadcast side " + fused.inputOf(j) + ": " + st.name(), st.tasks(), st.sql()));
            }
            broadcastInputs.add(new StageInput.Tables(fused.inputOf(j), side.size(),
                    new StageInput.Broadcast(String.join(",", side), o.maxBroadcastBytes())));
            broadcastKeys.addAll(side);
        }
        boolean computed = !(source instanceof Plan.Scan) && !(source instanceof Plan.Persisted);
        List<String> sourceKeys = switch (source) {
            case Plan.Scan s -> null;
            case Plan.Persisted p -> p.keys();
            default -> build(source, false, subJob(job));
        };
        String sql = wrap.apply(computed ? fused.sql(chain, source, "SELECT * FROM " + ChainSql.INPUT) : fused.sql(chain))
                + (limit == null ? "" : " LIMIT " + limit);
        List<Integer> indices = only != null ? only
                : IntStream.range(0, sourceKeys != null ? sourceKeys.size() : StagePlanner.outputPartitions(source)).boxed().toList();
        String name = StagePlanner.fusedName(chain, source, sourceName(source)) + suffix;
        String prefix = name.replaceAll("[^a-z]+", "_") + "." + job + "-";
        List<String> keys = new ArrayList<>();
        for (int i : indices) {
            StageOutput out = output(top);
            String key = prefix + i;
            if (source instanceof Plan.Scan scan) {
                StageInput in = scan.partitions().get(i).input(ChainSql.INPUT, scan.columns());
                tasks.add(new StageTask(key, new TableStage(ordinal(sql), with(in, broadcastInputs), out), broadcastKeys));
            } else {
                String input = sourceKeys.get(i);
                if (source instanceof Plan.Persisted held) {
                    external.put(input, held.handles().get(i));
                }
                List<String> inputs = new ArrayList<>(List.of(input));
                inputs.addAll(broadcastKeys);
                tasks.add(new StageTask(key, new TableStage(ordinal(sql), with(new StageInput.Tables(ChainSql.INPUT, 1),
                        broadcastInputs), out), inputs));
            }
            keys.add(key);
        }
        stages.add(new PhysicalPlan.Stage(name, indices.size(), "WITH in0 AS (" + switch (source) {
            case Plan.Scan scan -> (scan.partitions().getFirst().csv() == null ? "Parquet rows" : "CSV lines")
                    + " of a partition, columns " + scan.columns();
            case Plan.Persisted p -> "a persisted partition";
            default -> "a partition computed by the stage before";
        } + ") " + sql));
        return keys;
    }

    /** The filters and projections of {@code plan} above {@code below}, fused over {@code sql}. */
    private static String above(Plan plan, Plan below, String sql) {
        return plan == below ? sql : new ChainSql(plan).sql(plan, below, sql);
    }

    private static String aboveName(Plan plan, Plan below) {
        return plan == below ? "" : " + " + StagePlanner.fusedName(plan, below, null);
    }

    private static String sourceName(Plan source) {
        return switch (source) {
            case Plan.Scan s -> s.filter() == null ? "scan" : "scan + filter";
            case Plan.Persisted p -> "persisted";
            case Plan.Aggregate a -> "aggregated";
            case Plan.Distinct d -> "distinct";
            case Plan.Limit l -> "limited";
            case Plan.Union u -> "union";
            case Plan.MapPartitions m -> "mapped";
            default -> throw new IllegalStateException("not a source: " + source);
        };
    }

    private StageOutput output(boolean top) {
        if (!top || o.parquetDir() == null) {
            return new StageOutput.Table();
        }
        return new StageOutput.ParquetFile(o.parquetDir(), String.format("part-%05d.parquet", outputs++));
    }

    /** The query with this task's position among the plan's partition tasks (increasing in partition order). */
    private String ordinal(String sql) {
        return sql.replace(AggregateSql.PARTITION_ORDINAL, Long.toString(ordinals++));
    }

    private String subJob(String job) {
        return job + "s" + (subJobs++);
    }

    private static List<StageInput> with(StageInput first, List<StageInput> more) {
        List<StageInput> all = new ArrayList<>(List.of(first));
        all.addAll(more);
        return all;
    }
}
