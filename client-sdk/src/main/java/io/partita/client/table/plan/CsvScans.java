package io.partita.client.table.plan;

import io.partita.client.table.expr.DataType;
import io.partita.client.table.expr.TableSchema;
import io.partita.common.table.CsvDataset;
import io.partita.common.table.CsvFormat;
import java.util.ArrayList;
import java.util.List;

/**
 * Cuts CSV files into byte ranges of about a target size each, from their sizes alone (nothing is read): a file of
 * {@code n} targets' worth is {@code ceil(n)} ranges of equal length; each task then reads the lines that begin in
 * its range (the worker finds the line ends). A range never spans files; a compressed file is one range.
 */
public final class CsvScans {
    private CsvScans() {}

    /** @param splitFiles false for one partition per file (quoted fields holding line breaks, Dask's {@code blocksize=None}) */
    public static Plan.Scan scan(CsvDataset ds, long partitionBytes, boolean splitFiles) {
        if (partitionBytes <= 0) {
            throw new IllegalArgumentException("the partition size must be positive, not " + partitionBytes);
        }
        TableSchema schema = new TableSchema(ds.format().columns().stream()
                .map(c -> new TableSchema.Field(c.name(), new DataType(c.type()))).toList());
        return new Plan.Scan(ds.pathOrGlob(), partitions(ds, partitionBytes, splitFiles), schema, schema.names(), null);
    }

    static List<ScanPartition> partitions(CsvDataset ds, long target, boolean splitFiles) {
        List<ScanPartition> out = new ArrayList<>();
        for (CsvDataset.CsvFile f : ds.files()) {
            long size = f.bytes();
            if (size == 0) {
                continue;
            }
            long n = splitFiles && !CsvFormat.compressed(f.path()) ? (size + target - 1) / target : 1;
            for (long i = 0; i < n; i++) { // equal ranges, so no tiny last one
                out.add(ScanPartition.csv(f.path(), cut(size, i, n), cut(size, i + 1, n), ds.format()));
            }
        }
        if (out.isEmpty()) { // only empty files: one empty partition keeps the schema
            out.add(ScanPartition.csv(ds.files().getFirst().path(), 0, 0, ds.format()));
        }
        return out;
    }

    /** {@code size * i / n} without overflowing for large files. */
    private static long cut(long size, long i, long n) {
        return i * (size / n) + i * (size % n) / n;
    }
}
