package io.partita.worker.table;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The worker's copies of joins' broadcast sides as DuckDB tables, shared by the probe tasks that read them: every
 * probe task of a broadcast join reads the whole side, and reading it from Arrow streams cost each task more than
 * its own partition (TPC-H Q14 at SF 10: 286 ms a task against 75 ms from a table). A side is loaded by the first
 * task that needs it and dropped once no task has used it for {@link #IDLE_NANOS}, or sooner to make room (least
 * recently used first); never while a task reads it. A side bigger than the cap is not kept: its tasks read it as
 * streams, as before. Its bytes are in DuckDB's memory, so the memory tier "table engine" counts them.
 */
final class BroadcastTables {
    static final long IDLE_NANOS = TimeUnit.SECONDS.toNanos(30);

    /** Makes the table {@code name} (a {@code CREATE TABLE ... AS} on the task's connection). */
    interface Loader {
        void create(String name) throws SQLException;
    }

    private static final class Entry {
        final String table;
        final long bytes;
        int readers;
        long lastUsed;

        Entry(String table, long bytes) {
            this.table = table;
            this.bytes = bytes;
        }
    }

    private final long capBytes;
    private final Map<String, Entry> entries = new LinkedHashMap<>(16, 0.75f, true); // least recently used first
    private long bytes;
    private long names;

    /** @param capBytes the most bytes of sides kept at once */
    BroadcastTables(long capBytes) {
        this.capBytes = capBytes;
    }

    /**
     * The table of side {@code id}, loaded by {@code loader} on {@code conn} when it is not here yet; null when it is
     * too big to keep. A non-null table is the caller's to {@link #release} after its query.
     */
    synchronized String acquire(String id, long sideBytes, Connection conn, Loader loader) throws SQLException {
        Entry e = entries.get(id);
        if (e == null) {
            if (sideBytes > capBytes) {
                return null;
            }
            dropWhile(conn, () -> bytes + sideBytes > capBytes, 0);
            if (bytes + sideBytes > capBytes) {
                return null; // the others are being read
            }
            e = new Entry("partita_broadcast_" + (++names), sideBytes);
            loader.create(e.table);
            entries.put(id, e);
            bytes += sideBytes;
        }
        e.readers++;
        e.lastUsed = System.nanoTime();
        return e.table;
    }

    synchronized void release(String id) {
        Entry e = entries.get(id);
        if (e != null) {
            e.readers--;
            e.lastUsed = System.nanoTime();
        }
    }

    /** Drops the sides no task has read for {@link #IDLE_NANOS}. */
    synchronized void dropIdle(Connection conn) {
        dropWhile(conn, () -> true, IDLE_NANOS);
    }

    /** Drops every side not being read (the engine is closing, or a test). */
    synchronized void dropAll(Connection conn) {
        dropWhile(conn, () -> true, 0);
    }

    synchronized long bytes() {
        return bytes;
    }

    private void dropWhile(Connection conn, java.util.function.BooleanSupplier more, long idleNanos) {
        long now = System.nanoTime();
        for (Iterator<Entry> it = entries.values().iterator(); it.hasNext() && more.getAsBoolean(); ) {
            Entry e = it.next();
            if (e.readers > 0 || now - e.lastUsed < idleNanos) {
                continue;
            }
            try (Statement s = conn.createStatement()) {
                s.execute("DROP TABLE IF EXISTS " + e.table);
            } catch (SQLException ex) {
                continue; // kept, and tried again at the next call
            }
            it.remove();
            bytes -= e.bytes;
        }
    }
}
