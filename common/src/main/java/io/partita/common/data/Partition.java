package io.partita.common.data;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * A partition: an Arrow table of one or more record batches that share a schema. Tasks take and return
 * partitions; workers store them in shared segments and move them without copying where they can.
 *
 * <p>Ownership: a partition owns its batches and closing it releases their buffers (closing twice is harmless).
 * A partition a task receives as an argument is a view lent for the task's run: the worker closes it afterwards,
 * and its buffers may be mapped straight from another process's memory, so treat it as read-only. A partition a
 * task returns is taken over by the worker: do not close it. A partition a client gathers belongs to the caller.
 */
public final class Partition implements AutoCloseable {
    /**
     * The type every side of the protocol reports for a key that holds a partition (a task's result, a scattered or
     * a held key): the one word for "this key is an Arrow table, fetched with a TableTicket".
     */
    public static final String TYPE = Partition.class.getName();

    private final Schema schema;
    private final List<VectorSchemaRoot> batches;
    private boolean closed;

    private Partition(Schema schema, List<VectorSchemaRoot> batches) {
        this.schema = Objects.requireNonNull(schema, "schema");
        this.batches = List.copyOf(batches);
        for (VectorSchemaRoot b : this.batches) {
            if (!b.getSchema().equals(schema)) {
                throw new IllegalArgumentException("every batch of a partition must have its schema " + schema
                        + ", but one has " + b.getSchema());
            }
        }
    }

    /** Whether a key of the reported {@code type} holds a partition (see {@link #TYPE}). */
    public static boolean isType(String type) {
        return TYPE.equals(type);
    }

    /** A partition of {@code batches} (at least one), taking ownership of them. */
    public static Partition of(List<VectorSchemaRoot> batches) {
        if (batches.isEmpty()) {
            throw new IllegalArgumentException("a partition needs at least one batch; use empty(schema) for none");
        }
        return new Partition(batches.getFirst().getSchema(), batches);
    }

    /** A partition of one batch, taking ownership of it. */
    public static Partition of(VectorSchemaRoot batch) {
        return of(List.of(batch));
    }

    /** A partition with a schema and no rows. */
    public static Partition empty(Schema schema) {
        return new Partition(schema, List.of());
    }

    public Schema schema() {
        return schema;
    }

    /** The batches, in order; they stay owned by this partition. */
    public List<VectorSchemaRoot> batches() {
        checkOpen();
        return batches;
    }

    public long rowCount() {
        long rows = 0;
        for (VectorSchemaRoot b : batches) {
            rows += b.getRowCount();
        }
        return rows;
    }

    /** Bytes of Arrow buffers this partition's batches reference. */
    public long bufferBytes() {
        long bytes = 0;
        for (VectorSchemaRoot b : batches) {
            for (FieldVector v : b.getFieldVectors()) {
                bytes += v.getBufferSize();
            }
        }
        return bytes;
    }

    /** Moves the batches into a new partition that owns them; this one is left closed and empty. */
    public Partition transfer() {
        checkOpen();
        closed = true;
        return new Partition(schema, new ArrayList<>(batches));
    }

    public boolean isClosed() {
        return closed;
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("partition is closed");
        }
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            batches.forEach(VectorSchemaRoot::close);
        }
    }

    @Override
    public String toString() {
        return "Partition[" + rowCount() + " rows in " + batches.size() + " batches, " + schema + "]";
    }
}
