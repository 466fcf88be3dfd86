package io.partita.client;

import io.partita.common.data.Partition;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Schema;

/** Partitions put together on the client: buffers move by ownership transfer, never copied. */
final class Tables {
    private Tables() {}

    /** One partition of all the batches of {@code parts}, in order; takes and closes {@code parts}. */
    static Partition concat(List<Partition> parts, BufferAllocator allocator) {
        List<VectorSchemaRoot> batches = new ArrayList<>();
        Schema schema = null;
        try {
            for (Partition p : parts) {
                schema = schema == null ? p.schema() : schema;
                for (VectorSchemaRoot b : p.batches()) {
                    List<FieldVector> moved = new ArrayList<>();
                    for (FieldVector v : b.getFieldVectors()) {
                        var tp = v.getTransferPair(allocator);
                        tp.transfer();
                        moved.add((FieldVector) tp.getTo());
                    }
                    batches.add(new VectorSchemaRoot(b.getSchema().getFields(), moved, b.getRowCount()));
                }
            }
            return batches.isEmpty() ? Partition.empty(schema) : Partition.of(batches);
        } catch (RuntimeException e) {
            batches.forEach(VectorSchemaRoot::close);
            throw e;
        } finally {
            parts.forEach(Partition::close);
        }
    }
}
