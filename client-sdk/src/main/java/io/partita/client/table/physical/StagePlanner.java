package io.partita.client.table.physical;

import io.partita.client.table.plan.Plan;
import io.partita.client.table.plan.ScanPartition;
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
        return new PlanCutter(o).cut(plan);
    }

    /** Partitions of a plan's result: its source's for a chain, 1 after an aggregate, distinct or limit. */
    public static int outputPartitions(Plan plan) {
        return switch (plan) {
            case Plan.Scan s -> s.partitions().size();
            case Plan.Persisted p -> p.keys().size();
            case Plan.Union u -> u.inputs().stream().mapToInt(StagePlanner::outputPartitions).sum();
            case Plan.MapPartitions m -> outputPartitions(m.input());
            case Plan.Aggregate a -> 1;
            case Plan.Distinct d -> 1;
            case Plan.Limit l -> 1;
            case Plan.Filter f -> outputPartitions(f.input());
            case Plan.Project p -> outputPartitions(p.input());
            case Plan.Join j -> outputPartitions(j.left());
        };
    }

    /** Whether the plan is a partition-wise chain straight over a scan or persisted partitions ({@code head}'s case). */
    public static boolean isChainOverSource(Plan plan) {
        Plan source = ChainSql.sourceOf(plan);
        return source instanceof Plan.Scan || source instanceof Plan.Persisted;
    }

    /** Uncompressed bytes a scan under a broadcast side may read, unless a system property says otherwise. */
    public static final long DEFAULT_MAX_BROADCAST_BYTES = 256L << 20;
    public static final String MAX_BROADCAST_PROPERTY = "partita.table.max-broadcast-bytes";

    /**
     * Refuses a broadcast side that reads more Parquet than the limit, filters aside (an upper bound); one with an
     * aggregate or persisted partitions is checked by the tasks that read it, once computed ({@code StageInput.Tables}).
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

    /** Partitions of a chain's source. */
    public static int partitions(Plan chain) {
        return outputPartitions(ChainSql.sourceOf(chain));
    }

    /** What a fused chain does, bottom-up: "scan + filter + project". */
    static String fusedName(Plan chain) {
        return fusedName(chain, null, null);
    }

    /** The steps of {@code chain} above {@code below} (exclusive), bottom-up, after {@code belowName} if not null. */
    static String fusedName(Plan chain, Plan below, String belowName) {
        List<String> steps = new ArrayList<>();
        for (Plan p = chain; p != below; p = p instanceof Plan.Join j ? j.left() : p.inputs().getFirst()) {
            steps.addFirst(switch (p) {
                case Plan.Scan s -> s.filter() == null ? "scan" : "scan + filter";
                case Plan.Persisted held -> "persisted";
                case Plan.Join j -> "broadcast join";
                case Plan.Filter f -> "filter";
                case Plan.Project pr -> "project";
                case Plan.Aggregate a -> "aggregate";
                case Plan.Distinct d -> "distinct";
                case Plan.Limit l -> "limit";
                case Plan.Union u -> "union";
                case Plan.MapPartitions m -> "map partitions";
            });
            if (p.inputs().isEmpty()) {
                break;
            }
        }
        if (belowName != null) {
            steps.addFirst(belowName);
        }
        return String.join(" + ", steps);
    }
}
