package io.partita.client.table.physical;

import io.partita.common.table.ParquetDataset;
import java.util.List;

/** Runs table work: on a cluster (the client's), or in one process (the tests'). */
public interface TableExecutor {
    /** The Parquet files at a path as a worker sees them; fails naming the path when there are none. */
    ParquetDataset inspect(String pathOrGlob);

    /** The CSV files at a path as a worker sees them, and their columns (given, checked; or detected). */
    io.partita.common.table.CsvDataset inspectCsv(String pathOrGlob, io.partita.common.table.CsvFormat format);

    /**
     * Runs the plan's tasks and returns the values of its outputs, in order: partitions (owned by the caller) or
     * row counts. When one task fails, the whole call fails with its error.
     */
    List<Object> run(PhysicalPlan plan);

    /**
     * Runs the plan's tasks and keeps its outputs where they are (on the workers), returning once all are computed:
     * a handle per output that keeps it alive (a future on a cluster), to read through {@link PhysicalPlan#external}.
     */
    List<Object> persist(PhysicalPlan plan);

    /** A partition the caller keeps, placed where stages can read it: its key and the handle that keeps it. */
    Held put(io.partita.common.data.Partition partition);

    record Held(String key, Object handle) {}

    /** How this executor's plans are cut for job {@code job}: the defaults, and this client's settings. */
    default StagePlanner.Options options(String job) {
        return StagePlanner.Options.of(job);
    }
}
