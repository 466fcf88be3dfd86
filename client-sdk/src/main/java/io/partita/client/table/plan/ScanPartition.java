package io.partita.client.table.plan;

/** Contiguous row groups of one Parquet file: rows {@code [rowStart, rowEnd)} of it. */
public record ScanPartition(String file, int firstRowGroup, int rowGroups, long rowStart, long rowEnd, long bytes) {}
