package io.partita.worker.table;

import io.partita.common.config.ByteSize;
import io.partita.common.data.Partition;
import io.partita.common.table.StageInput;
import io.partita.common.table.StageOutput;
import io.partita.common.table.TableStage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.apache.arrow.c.ArrowArrayStream;
import org.apache.arrow.c.Data;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.duckdb.DuckDBConnection;
import org.duckdb.DuckDBResultSet;

/**
 * Runs one {@link TableStage} on one connection: binds each input name with a {@code WITH} clause (a Parquet
 * read, or the union of partitions registered as Arrow streams), runs the query and returns its Arrow result.
 */
final class StageRunner {
    /** Rows per batch of DuckDB's Arrow export. */
    static final int BATCH_ROWS = 128 * 1024;

    private final DuckDBConnection conn;
    private final BufferAllocator allocator;
    private final List<ArrowArrayStream> streams = new ArrayList<>();
    private final Path scratch;
    private final List<CsvRange> csvRanges = new ArrayList<>();
    private final BroadcastTables broadcasts;
    /** The broadcast sides this task reads from the worker's shared tables (released when it ends). */
    private final List<String> sharedSides = new ArrayList<>();

    /** @param scratch where copies of CSV byte ranges go while the task runs */
    StageRunner(DuckDBConnection conn, BufferAllocator allocator, Path scratch, BroadcastTables broadcasts) {
        this.conn = conn;
        this.allocator = allocator;
        this.scratch = scratch;
        this.broadcasts = broadcasts;
    }

    Object run(TableStage stage, List<Partition> tables) throws Exception {
        if (tables.size() != stage.tableArgs()) {
            throw new IllegalArgumentException("the stage reads " + stage.tableArgs() + " partitions but was given "
                    + tables.size());
        }
        String sql = bindInputs(stage, tables) + stage.sql();
        return switch (stage.output()) {
            case StageOutput.Table t -> query(sql, stage);
            case StageOutput.ParquetFile f -> write(sql, f, stage);
        };
    }

    /**
     * Releases the input streams DuckDB did not consume and frees their C structs. Called after the connection
     * closed: the connection holds the registered streams until then, so their structs must outlive it. Deletes the
     * copies of CSV ranges too.
     */
    void closeStreams() {
        sharedSides.forEach(broadcasts::release);
        sharedSides.clear();
        for (ArrowArrayStream s : streams) {
            s.close();
        }
        streams.clear();
        csvRanges.forEach(CsvRange::close);
        csvRanges.clear();
    }

    private String bindInputs(TableStage stage, List<Partition> tables) throws java.io.IOException, SQLException {
        StringBuilder with = new StringBuilder();
        int next = 0;
        String prefix = "partita_" + UUID.randomUUID().toString().replace("-", "");
        for (StageInput in : stage.inputs()) {
            with.append(with.isEmpty() ? "WITH " : ", ").append(in.name()).append(" AS (");
            switch (in) {
                case StageInput.Parquet p -> with.append(parquetRead(p));
                case StageInput.Csv c -> {
                    CsvRange range = CsvRange.open(c, scratch);
                    csvRanges.add(range);
                    with.append(range.sql());
                }
                case StageInput.Tables t -> {
                    List<Partition> parts = tables.subList(next, next + t.count());
                    String shared = t.broadcast() == null ? null : sharedSide(t, parts, prefix + "_" + next);
                    String table = shared != null ? shared : t.load() ? loadedIfBig(parts, prefix + "_" + next) : null;
                    with.append(table != null ? "SELECT * FROM " + table : streams(parts, prefix + "_" + next));
                    next += t.count();
                }
            }
            with.append(") ");
        }
        return with.toString();
    }

    /**
     * Partials of at least {@link #LOAD_ROWS} rows in all go into a temporary table of the task's connection (gone
     * with it) rather than being read as streams: DuckDB aggregates a stream, whose size it cannot know, far slower
     * (8 partials of 2 M rows into 2 M groups: 2.9-3.1 s from streams, 1.2-1.4 s with the copy into a table included;
     * a plain scan of the same rows, 0.1 s from streams, took 0.4 s with the copy). Returns the table, or null for
     * small inputs (read as streams).
     */
    private String loadedIfBig(List<Partition> parts, String prefix) throws SQLException {
        if (parts.stream().mapToLong(Partition::rowCount).sum() < LOAD_ROWS) {
            return null;
        }
        String name = prefix + "_loaded";
        try (Statement s = conn.createStatement()) {
            s.execute("CREATE TEMP TABLE " + name + " AS " + streams(parts, prefix));
        }
        return name;
    }

    /** Rows from which a stage's computed input is copied into a table before its query (see {@link #loadedIfBig}). */
    static final long LOAD_ROWS = 1_000_000;

    /** The partitions registered as Arrow streams, as one relation. */
    private String streams(List<Partition> parts, String prefix) {
        StringBuilder sql = new StringBuilder();
        for (int i = 0; i < parts.size(); i++) {
            String name = prefix + "_" + i;
            register(name, parts.get(i));
            sql.append(i == 0 ? "" : " UNION ALL BY NAME ").append("SELECT * FROM ").append(name);
        }
        return sql.toString();
    }

    /**
     * A broadcast side, checked once computed (before, only a scan's size was known, and the client checked it),
     * then read from the worker's shared table of it: loaded from its streams by the first task here that reads it.
     * Null when it is too big to share: this task reads its streams.
     */
    private String sharedSide(StageInput.Tables t, List<Partition> parts, String prefix) throws SQLException {
        StageInput.Broadcast b = t.broadcast();
        long bytes = parts.stream().mapToLong(Partition::bufferBytes).sum();
        if (bytes > b.maxBytes()) {
            throw new TableStageException("the broadcast side " + t.name() + " of a join is " + ByteSize.format(bytes)
                    + " once computed, over the " + ByteSize.format(b.maxBytes()) + " limit: every "
                    + "task of the other side would receive all of it. Filter or aggregate it more, or raise the limit with "
                    + "ClientOptions.withMaxBroadcastBytes (or -Dpartita.table.max-broadcast-bytes in the client)", null);
        }
        String table = broadcasts.acquire(b.id(), bytes, conn, name -> {
            try (Statement s = conn.createStatement()) {
                s.execute("CREATE TABLE " + name + " AS " + streams(parts, prefix));
            }
        });
        if (table != null) {
            sharedSides.add(b.id());
        }
        return table;
    }

    static String parquetRead(StageInput.Parquet p) {
        String cols = p.columns().isEmpty() ? "NULL AS partita_none"
                : String.join(", ", p.columns().stream().map(Sql::ident).toList());
        // rows of the partition's row groups, by their position in the file: DuckDB skips the other row groups
        return "SELECT " + cols + " FROM read_parquet(" + Sql.string(p.file()) + ", file_row_number = true)"
                + " WHERE file_row_number >= " + p.rowStart() + " AND file_row_number < " + p.rowEnd();
    }

    private void register(String name, Partition partition) {
        ArrowArrayStream stream = ArrowArrayStream.allocateNew(allocator);
        streams.add(stream);
        Data.exportArrayStream(allocator, new PartitionReader(allocator, partition), stream);
        conn.registerArrowStream(name, stream);
    }

    private Partition query(String sql, TableStage stage) throws Exception {
        try (Statement s = conn.createStatement();
             DuckDBResultSet rs = (DuckDBResultSet) s.executeQuery(sql);
             ArrowReader reader = (ArrowReader) rs.arrowExportStream(allocator, BATCH_ROWS)) {
            return ArrowResults.drain(reader, allocator);
        } catch (SQLException e) {
            throw failure(e, stage);
        }
    }

    /** Writes under a hidden temporary name, then renames: a failed task leaves no file under the final name. */
    private Long write(String sql, StageOutput.ParquetFile out, TableStage stage) throws Exception {
        Path folder = Path.of(out.folder());
        Files.createDirectories(folder);
        Path tmp = folder.resolve("." + out.fileName() + "." + UUID.randomUUID() + ".tmp");
        try (Statement s = conn.createStatement()) {
            long rows = s.executeLargeUpdate("COPY (" + sql + ") TO " + Sql.string(tmp.toString()) + " (FORMAT parquet)");
            Files.move(tmp, folder.resolve(out.fileName()), StandardCopyOption.ATOMIC_MOVE,
                    StandardCopyOption.REPLACE_EXISTING);
            return rows;
        } catch (SQLException e) {
            throw failure(e, stage);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** DuckDB's message, with the files the stage read, so a bad file is named even when DuckDB does not. */
    private TableStageException failure(SQLException e, TableStage stage) {
        for (CsvRange r : csvRanges) { // a CSV error names the user's file and line, not the range's copy
            String csv = r.explain(String.valueOf(e.getMessage()));
            if (csv != null) {
                return new TableStageException("table stage failed: " + csv, e);
            }
        }
        List<String> files = stage.inputs().stream().map(in -> switch (in) {
            case StageInput.Parquet p -> p.file();
            case StageInput.Csv c -> c.file();
            case StageInput.Tables t -> null;
        }).filter(java.util.Objects::nonNull).toList();
        String where = files.isEmpty() ? "" : " (reading " + String.join(", ", files) + ")";
        return new TableStageException("table stage failed" + where + ": " + e.getMessage(), e);
    }
}
