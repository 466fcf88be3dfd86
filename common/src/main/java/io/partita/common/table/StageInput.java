package io.partita.common.table;

import java.io.Serializable;
import java.util.List;
import java.util.Objects;

/** A relation a {@link TableStage} reads, by name. */
public sealed interface StageInput extends Serializable {
    String name();

    /**
     * Row groups of one Parquet file, read by the worker's DuckDB itself (it skips row groups by their statistics
     * when the query filters). The groups are contiguous: rows {@code [rowStart, rowEnd)} of the file.
     *
     * @param columns the columns read (projection pushed into the reader); empty reads none (e.g. for a count)
     */
    record Parquet(String name, String file, int firstRowGroup, int rowGroups, long rowStart, long rowEnd,
                   List<String> columns) implements StageInput {
        public Parquet {
            Objects.requireNonNull(file, "file");
            columns = List.copyOf(columns);
            if (rowStart < 0 || rowEnd < rowStart) {
                throw new IllegalArgumentException("bad row range [" + rowStart + ", " + rowEnd + ") of " + file);
            }
        }
    }

    /**
     * The lines of a CSV file that begin in bytes {@code [start, end)} (Hadoop's rule: a range owns a line when the
     * line's first byte is in it, so consecutive ranges read every line once, wherever they cut), read by the
     * worker's DuckDB with the format's columns; the first range of a file skips its header.
     */
    record Csv(String name, String file, long start, long end, CsvFormat format, List<String> columns) implements StageInput {
        public Csv {
            Objects.requireNonNull(file, "file");
            Objects.requireNonNull(format, "format");
            columns = List.copyOf(columns);
            if (start < 0 || end < start) {
                throw new IllegalArgumentException("bad byte range [" + start + ", " + end + ") of " + file);
            }
            if (format.columns().isEmpty()) {
                throw new IllegalArgumentException("a CSV stage reads with its columns settled: " + file);
            }
        }
    }

    /**
     * The next {@code count} partition arguments of the task, concatenated (one schema).
     *
     * @param broadcast set when they are a join's broadcast side, read whole by every probe task; else null
     * @param load      the worker copies them into a table of the task's own before the query when they are big: set
     *                  for a combine's partials, which DuckDB re-aggregates 2-3 times faster from a table than from
     *                  Arrow streams, whose size it cannot know (a plain scan of them is faster from the streams)
     */
    record Tables(String name, int count, Broadcast broadcast, boolean load) implements StageInput {
        public Tables {
            if (count < 1) {
                throw new IllegalArgumentException("input " + name + " needs at least one partition");
            }
        }

        public Tables(String name, int count) {
            this(name, count, null, false);
        }

        public Tables(String name, int count, Broadcast broadcast) {
            this(name, count, broadcast, false);
        }

        /** The next {@code count} partitions, partials of an aggregate to combine. */
        public static Tables partials(String name, int count) {
            return new Tables(name, count, null, true);
        }
    }

    /**
     * A join's broadcast side.
     *
     * @param id       the same for every probe task that reads it (and only for them): a worker loads it into its
     *                 engine once and its tasks share that copy
     * @param maxBytes the most Arrow bytes it may hold: its size is known only once it is computed, so a probe task
     *                 refuses it past this before its query runs
     */
    record Broadcast(String id, long maxBytes) implements Serializable {
        public Broadcast {
            Objects.requireNonNull(id, "id");
            if (maxBytes <= 0) {
                throw new IllegalArgumentException("the broadcast limit must be positive, not " + maxBytes);
            }
        }
    }
}
