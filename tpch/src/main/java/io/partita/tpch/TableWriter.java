package io.partita.tpch;

import io.trino.tpch.TpchColumn;
import io.trino.tpch.TpchEntity;
import io.trino.tpch.TpchTable;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.duckdb.DuckDBAppender;
import org.duckdb.DuckDBConnection;

/**
 * Writes one TPC-H table as {@code part-NNNNN.parquet} files, one generator chunk ({@code part} of {@code partCount})
 * per file, chunks side by side on {@code threads} threads. Each chunk is appended into a DuckDB table of its own and
 * copied out as Parquet under a temporary name, then renamed, so an interrupted run leaves no file under a final
 * name; the marker goes last.
 */
final class TableWriter {
    private final DuckDBConnection db;
    private final Layout layout;
    private final int threads;
    private final PrintStream progress;

    TableWriter(DuckDBConnection db, Layout layout, int threads, PrintStream progress) {
        this.db = db;
        this.layout = layout;
        this.threads = threads;
        this.progress = progress;
    }

    /** Writes {@code table} under {@code dir}, unless a marker says it is there already; its marker. */
    Marker write(TpchTable<?> table, Path dir) throws IOException, InterruptedException {
        var existing = Marker.read(dir);
        if (existing.isPresent() && existing.get().sameLayout(layout)) {
            progress.printf(Locale.ROOT, "%s: complete already (%,d rows in %d files), skipped%n", table.getTableName(),
                    existing.get().rows(), existing.get().files());
            return existing.get();
        }
        Files.createDirectories(dir);
        Files.deleteIfExists(dir.resolve(Marker.NAME));
        try (var old = Files.list(dir)) { // parts of an earlier layout would be read with the new ones
            for (Path p : old.filter(p -> p.getFileName().toString().endsWith(".parquet")).toList()) {
                Files.delete(p);
            }
        }
        int files = layout.files(table);
        long start = System.nanoTime();
        AtomicInteger done = new AtomicInteger();
        long rows = 0;
        try (ExecutorService pool = Executors.newFixedThreadPool(Math.min(threads, files))) {
            List<Future<Long>> chunks = new ArrayList<>();
            for (int i = 0; i < files; i++) {
                int part = i;
                chunks.add(pool.submit(() -> {
                    long n = writeChunk(table, dir, part, files);
                    progress.printf(Locale.ROOT, "%s: part-%05d.parquet %,d rows (%d/%d, %.1f s)%n", table.getTableName(),
                            part, n, done.incrementAndGet(), files, (System.nanoTime() - start) / 1e9);
                    return n;
                }));
            }
            for (Future<Long> f : chunks) {
                rows += f.get();
            }
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IOException("writing " + table.getTableName() + " failed: " + e.getCause(), e.getCause());
        }
        Marker marker = new Marker(layout.scale(), layout.rowsPerGroup(), layout.rowsPerFile(), files, rows);
        marker.write(dir);
        return marker;
    }

    private long writeChunk(TpchTable<?> table, Path dir, int part, int files) throws SQLException, IOException {
        String name = "chunk_" + table.getTableName() + "_" + part;
        Path target = dir.resolve(String.format(Locale.ROOT, "part-%05d.parquet", part));
        Path tmp = dir.resolve("." + target.getFileName() + ".tmp");
        try (Connection c = db.duplicate(); Statement s = c.createStatement()) {
            s.execute(ColumnTypes.createTable(table, name));
            long rows;
            try (DuckDBAppender appender = ((DuckDBConnection) c).createAppender(name)) {
                rows = append(appender, table, part, files);
            }
            s.execute("COPY " + name + " TO '" + tmp.toString().replace("'", "''") + "' (FORMAT parquet, ROW_GROUP_SIZE "
                    + layout.rowsPerGroup() + ")");
            s.execute("DROP TABLE " + name);
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return rows;
        }
    }

    private <E extends TpchEntity> long append(DuckDBAppender appender, TpchTable<E> table, int part, int files)
            throws SQLException {
        List<TpchColumn<E>> columns = table.getColumns();
        long rows = 0;
        // the generator's parts are 1-based
        for (E row : table.createGenerator(layout.scale(), part + 1, files)) {
            ColumnTypes.appendRow(appender, columns, row);
            rows++;
        }
        return rows;
    }
}
