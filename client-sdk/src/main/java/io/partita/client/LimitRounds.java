package io.partita.client;

import io.partita.client.table.physical.StagePlanner;
import io.partita.client.table.plan.Plan;
import io.partita.common.data.Partition;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * A limit at the top of a plan whose chain reads a scan or persisted partitions directly: the partitions are read
 * in rounds, in order, one in the first round and twice as many in each next one, each task keeping its first n
 * rows, until n rows are found (a filter may keep few rows of the first partitions, so more may be needed). The
 * rows found are then cut to n in partition order.
 */
final class LimitRounds {
    private final BiFunction<Plan, StagePlanner.Options, Partition> run;
    private final java.util.function.Function<String, StagePlanner.Options> options;
    private final BufferAllocator allocator;

    LimitRounds(BiFunction<Plan, StagePlanner.Options, Partition> run,
                java.util.function.Function<String, StagePlanner.Options> options, BufferAllocator allocator) {
        this.run = run;
        this.options = options;
        this.allocator = allocator;
    }

    /** The limit under the plan's top projections when it is over a chain of a scan or persisted partitions. */
    static Plan.Limit topLimit(Plan plan) {
        Plan p = plan;
        while (p instanceof Plan.Project pr) {
            p = pr.input();
        }
        return p instanceof Plan.Limit l && StagePlanner.isChainOverSource(l.input()) ? l : null;
    }

    /** The plan with its top limit taken out (the projections above it keep every row, so they commute with it). */
    static Plan withoutLimit(Plan plan) {
        return switch (plan) {
            case Plan.Project p -> new Plan.Project(withoutLimit(p.input()), p.columns(), p.schema());
            case Plan.Limit l -> l.input();
            default -> throw new IllegalStateException("no limit at the top of " + plan);
        };
    }

    Partition run(Plan chain, long n, String job) {
        int total = StagePlanner.partitions(chain);
        List<Partition> parts = new ArrayList<>();
        long rows = 0;
        int next = 0;
        int batch = 1;
        try {
            while (rows < n && next < total) {
                List<Integer> indices = new ArrayList<>();
                for (int i = next; i < Math.min(total, next + batch); i++) {
                    indices.add(i);
                }
                next += indices.size();
                batch *= 2; // few partitions first, more when the first ones were filtered away
                Partition got = run.apply(chain, options.apply(job + "r" + parts.size()).withLimit(n).withPartitions(indices));
                rows += got.rowCount();
                parts.add(got);
            }
            if (parts.isEmpty()) { // n = 0: one empty partition keeps the schema
                parts.add(run.apply(chain, options.apply(job).withLimit(0).withPartitions(List.of(0))));
            }
        } catch (RuntimeException e) {
            parts.forEach(Partition::close);
            throw e;
        }
        return trim(Tables.concat(parts, allocator), n);
    }

    private static Partition trim(Partition p, long n) {
        if (p.rowCount() <= n) {
            return p;
        }
        List<VectorSchemaRoot> kept = new ArrayList<>();
        try (p) {
            long left = n;
            for (VectorSchemaRoot b : p.batches()) {
                if (left == 0) {
                    break;
                }
                int take = (int) Math.min(left, b.getRowCount());
                kept.add(b.slice(0, take));
                left -= take;
            }
        }
        return kept.isEmpty() ? Partition.empty(p.schema()) : Partition.of(kept);
    }
}
