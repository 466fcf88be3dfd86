package io.partita.worker.table;

import io.partita.common.data.Partition;
import io.partita.common.table.InspectCsv;
import io.partita.common.table.InspectParquet;
import io.partita.common.table.TableStage;
import io.partita.common.table.TableTask;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.duckdb.DuckDBConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The worker's table engine: one in-process DuckDB database per worker JVM, opened at the first table task (a
 * worker that never runs one never loads DuckDB's native library). Each task runs on a connection of its own,
 * duplicated from the database's, so tasks on the worker's threads run side by side; DuckDB's own threads are
 * the worker's {@code nthreads}, its memory a share of the worker's limit, and it spills under the spill folder.
 */
public final class TableEngine implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TableEngine.class);
    /** DuckDB's share of the worker's memory limit; the rest is for stored partitions and the JVM. */
    public static final String MEMORY_FRACTION_PROPERTY = "partita.table.duckdb-memory-fraction";
    static final double DEFAULT_MEMORY_FRACTION = 0.4;

    private final int threads;
    private final long memoryLimit;
    private final Path tempDir;
    private final BroadcastTables broadcasts;
    private DuckDBConnection database;
    private boolean closed;
    private volatile long memoryBytes;
    private volatile long temporaryBytes;

    /**
     * @param threads     DuckDB's threads (the worker's nthreads)
     * @param memoryLimit the worker's memory limit in bytes, 0 for none (DuckDB then keeps its own default)
     * @param tempDir     where DuckDB spills
     */
    public TableEngine(int threads, long memoryLimit, Path tempDir) {
        this.threads = Math.max(1, threads);
        this.memoryLimit = memoryLimit;
        this.tempDir = tempDir;
        long duckMemory = duckMemory(memoryLimit, DEFAULT_MEMORY_FRACTION);
        this.broadcasts = new BroadcastTables(duckMemory > 0 ? duckMemory / 2 : 1L << 30);
    }

    /**
     * Runs one table task: a partition, a {@link io.partita.common.table.ParquetDataset}, a
     * {@link io.partita.common.table.CsvDataset} or a row count.
     */
    public Object run(TableTask task, List<Partition> tables, BufferAllocator allocator) throws Exception {
        DuckDBConnection conn = connection();
        StageRunner runner = new StageRunner(conn, allocator, scratch(), broadcasts);
        try {
            return switch (task) {
                case TableStage stage -> runner.run(stage, tables);
                case InspectParquet inspect -> new ParquetInspector(conn).inspect(inspect.pathOrGlob());
                case InspectCsv inspect -> new CsvInspector(conn).inspect(inspect.pathOrGlob(), inspect.format());
            };
        } finally {
            try {
                conn.close();
            } finally {
                runner.closeStreams(); // after the connection: it references the registered streams until it closes
            }
        }
    }

    /** Copies of CSV byte ranges: beside DuckDB's temporary folder in the spill folder (the system's without one). */
    private Path scratch() {
        return tempDir != null ? tempDir.resolveSibling("csv-ranges")
                : Path.of(System.getProperty("java.io.tmpdir"), "partita-csv-ranges");
    }

    private synchronized DuckDBConnection connection() throws SQLException {
        if (closed) {
            throw new IllegalStateException("the table engine is closed (the worker is stopping)");
        }
        if (database == null) {
            database = open();
        }
        return (DuckDBConnection) database.duplicate();
    }

    private DuckDBConnection open() throws SQLException {
        DuckDBConnection conn = (DuckDBConnection) DriverManager.getConnection("jdbc:duckdb:");
        try (Statement s = conn.createStatement()) {
            s.execute("SET threads = " + threads);
            long duckMemory = duckMemory(memoryLimit, Double.parseDouble(
                    System.getProperty(MEMORY_FRACTION_PROPERTY, Double.toString(DEFAULT_MEMORY_FRACTION))));
            if (duckMemory > 0) {
                s.execute("SET memory_limit = '" + duckMemory + "B'");
            }
            if (tempDir != null) {
                Files.createDirectories(tempDir);
                s.execute("SET temp_directory = " + Sql.string(tempDir.toString()));
            }
            s.execute("SET preserve_insertion_order = true");
        } catch (java.io.IOException e) {
            conn.close();
            throw new SQLException("cannot create DuckDB's temporary folder " + tempDir + ": " + e.getMessage(), e);
        } catch (SQLException e) {
            conn.close();
            throw e;
        }
        LOG.info("table engine: DuckDB with {} threads, memory limit {}, spilling to {}", threads,
                memoryLimit > 0 ? duckMemory(memoryLimit, DEFAULT_MEMORY_FRACTION) + " bytes" : "DuckDB's default", tempDir);
        return conn;
    }

    /**
     * Reads how much memory DuckDB's buffer manager holds and how much it spilled ({@code duckdb_memory()}), for
     * {@link #memoryBytes()} and {@link #temporaryBytes()}; called off the event loop, twice a second. Metadata, one row.
     */
    public void sampleMemory() {
        DuckDBConnection conn;
        synchronized (this) {
            if (database == null || closed) {
                return;
            }
            try {
                conn = (DuckDBConnection) database.duplicate();
            } catch (SQLException e) {
                return;
            }
        }
        broadcasts.dropIdle(conn);
        try (conn; Statement s = conn.createStatement(); java.sql.ResultSet rs = s.executeQuery(
                "SELECT coalesce(sum(memory_usage_bytes), 0), coalesce(sum(temporary_storage_bytes), 0) FROM duckdb_memory()")) {
            if (rs.next()) {
                memoryBytes = rs.getLong(1);
                temporaryBytes = rs.getLong(2);
            }
        } catch (SQLException e) {
            LOG.debug("cannot read DuckDB's memory use: {}", e.getMessage());
        }
    }

    /** DuckDB's memory (its buffer manager: hash tables, sorts, caches) at the last {@link #sampleMemory()}. */
    public long memoryBytes() {
        return memoryBytes;
    }

    /** What DuckDB spilled to its temporary folder at the last {@link #sampleMemory()}. */
    public long temporaryBytes() {
        return temporaryBytes;
    }

    /** DuckDB's memory limit: a fraction of the worker's, at least 64 MiB; 0 when the worker has none. */
    static long duckMemory(long workerLimit, double fraction) {
        if (workerLimit <= 0) {
            return 0;
        }
        return Math.max(64L << 20, (long) (workerLimit * fraction));
    }

    @Override
    public synchronized void close() throws SQLException {
        closed = true;
        if (database != null) {
            database.close();
            database = null;
        }
    }
}
