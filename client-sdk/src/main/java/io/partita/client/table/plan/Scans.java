package io.partita.client.table.plan;

import io.partita.client.table.expr.DataType;
import io.partita.client.table.expr.TableSchema;
import io.partita.common.table.ParquetDataset;
import java.util.ArrayList;
import java.util.List;

/** Cuts a Parquet dataset into partitions of whole, contiguous row groups of about a target size each. */
public final class Scans {
    /** Uncompressed bytes per partition, as Dask's {@code blocksize} (128 MiB). */
    public static final long DEFAULT_PARTITION_BYTES = 128L << 20;

    private Scans() {}

    public static Plan.Scan scan(ParquetDataset ds, long partitionBytes) {
        if (partitionBytes <= 0) {
            throw new IllegalArgumentException("the partition size must be positive, not " + partitionBytes);
        }
        TableSchema schema = new TableSchema(ds.columns().stream()
                .map(c -> new TableSchema.Field(c.name(), new DataType(c.type()))).toList());
        return new Plan.Scan(ds.pathOrGlob(), partitions(ds, partitionBytes), schema, schema.names(), null);
    }

    static List<ScanPartition> partitions(ParquetDataset ds, long target) {
        List<ScanPartition> out = new ArrayList<>();
        for (ParquetDataset.ParquetFile f : ds.files()) {
            List<ParquetDataset.RowGroup> groups = f.rowGroups();
            int first = 0;
            long bytes = 0;
            for (int i = 0; i < groups.size(); i++) {
                bytes += groups.get(i).bytes();
                if (bytes >= target || i == groups.size() - 1) {
                    ParquetDataset.RowGroup a = groups.get(first);
                    ParquetDataset.RowGroup b = groups.get(i);
                    out.add(new ScanPartition(f.path(), a.index(), i - first + 1, a.rowStart(), b.rowStart() + b.rows(), bytes));
                    first = i + 1;
                    bytes = 0;
                }
            }
        }
        if (out.isEmpty()) { // only empty files: one empty partition keeps the schema
            out.add(new ScanPartition(ds.files().getFirst().path(), 0, 0, 0, 0, 0));
        }
        return out;
    }
}
