package io.partita.client.table.plan;

import io.partita.common.table.CsvFormat;
import io.partita.common.table.StageInput;
import java.util.List;

/**
 * One partition of a scan: contiguous row groups of one Parquet file, rows {@code [rowStart, rowEnd)} of it; or, when
 * {@code csv} is set, a byte range of one CSV file (the row-group fields are then 0: rows are not known before reading).
 *
 * @param bytes the row groups' uncompressed size, or the CSV range's length
 */
public record ScanPartition(String file, int firstRowGroup, int rowGroups, long rowStart, long rowEnd, long bytes,
                            CsvRange csv) {
    /** Row groups of a Parquet file. */
    public ScanPartition(String file, int firstRowGroup, int rowGroups, long rowStart, long rowEnd, long bytes) {
        this(file, firstRowGroup, rowGroups, rowStart, rowEnd, bytes, null);
    }

    /** The lines of a CSV file that begin in bytes {@code [start, end)}, read with {@code format}. */
    public static ScanPartition csv(String file, long start, long end, CsvFormat format) {
        return new ScanPartition(file, 0, 0, 0, 0, end - start, new CsvRange(start, end, format));
    }

    /** What a stage task reads for this partition: input {@code name}, with only {@code columns}. */
    public StageInput input(String name, List<String> columns) {
        return csv == null ? new StageInput.Parquet(name, file, firstRowGroup, rowGroups, rowStart, rowEnd, columns)
                : new StageInput.Csv(name, file, csv.start(), csv.end(), csv.format(), columns);
    }

    public record CsvRange(long start, long end, CsvFormat format) {}
}
