package io.partita.client.table.plan;

import io.partita.client.table.expr.DataType;
import io.partita.client.table.expr.TableSchema;
import io.partita.common.table.ParquetDataset;
import java.util.ArrayList;
import java.util.List;

/** Cuts a Parquet dataset into partitions of whole, contiguous row groups of about a target size each. */
public final class Scans {
    /**
     * Uncompressed bytes per Parquet partition (of all its columns: a query reading a quarter of them reads a quarter
     * of this). 256 MiB: each task is a query with a fixed cost, and at 128 MiB the TPC-H benchmark's scans were
     * 10-30 % slower (docs/benchmarks.md); Dask's {@code read_parquet} reads a file a partition, at least 75 MB.
     */
    public static final long DEFAULT_PARTITION_BYTES = 256L << 20;
    /** Bytes of text per CSV partition, as Dask's {@code read_csv} blocksize is of that order (parsing costs more). */
    public static final long DEFAULT_CSV_PARTITION_BYTES = 128L << 20;

    private Scans() {}

    public static Plan.Scan scan(ParquetDataset ds, long partitionBytes) {
        if (partitionBytes <= 0) {
            throw new IllegalArgumentException("the partition size must be positive, not " + partitionBytes);
        }
        TableSchema schema = new TableSchema(ds.columns().stream()
                .map(c -> new TableSchema.Field(c.name(), new DataType(c.type()))).toList());
        return new Plan.Scan(ds.pathOrGlob(), partitions(ds, partitionBytes), schema, schema.names(), null);
    }

    /**
     * Each file in {@code round(size / target)} partitions (at least one, at most one per row group) of about equal
     * size: a greedy cut at the target would leave a file of 3.7 row groups of the target's half in one partition of
     * 3 and one of 0.7, and the task of the big one would take 4 times as long (seen in the TPC-H benchmark).
     */
    static List<ScanPartition> partitions(ParquetDataset ds, long target) {
        List<ScanPartition> out = new ArrayList<>();
        for (ParquetDataset.ParquetFile f : ds.files()) {
            List<ParquetDataset.RowGroup> groups = f.rowGroups();
            long left = groups.stream().mapToLong(ParquetDataset.RowGroup::bytes).sum();
            int parts = (int) Math.clamp(Math.round((double) left / target), 1, Math.max(1, groups.size()));
            int first = 0;
            long bytes = 0;
            for (int i = 0; i < groups.size(); i++) {
                bytes += groups.get(i).bytes();
                boolean lastGroup = i == groups.size() - 1;
                long goal = left / parts; // what each partition still to cut should hold
                boolean cut = lastGroup || parts > 1 && (groups.size() - 1 - i < parts
                        || bytes >= goal || bytes + groups.get(i + 1).bytes() / 2 > goal);
                if (cut) {
                    ParquetDataset.RowGroup a = groups.get(first);
                    ParquetDataset.RowGroup b = groups.get(i);
                    out.add(new ScanPartition(f.path(), a.index(), i - first + 1, a.rowStart(), b.rowStart() + b.rows(), bytes));
                    first = i + 1;
                    left -= bytes;
                    bytes = 0;
                    parts = Math.max(1, parts - 1);
                }
            }
        }
        if (out.isEmpty()) { // only empty files: one empty partition keeps the schema
            out.add(new ScanPartition(ds.files().getFirst().path(), 0, 0, 0, 0, 0));
        }
        return out;
    }
}
