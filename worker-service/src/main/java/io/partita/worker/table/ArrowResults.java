package io.partita.worker.table;

import io.partita.common.data.Partition;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorLoader;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.VectorUnloader;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.apache.arrow.vector.ipc.message.ArrowRecordBatch;

/** Drains a reader (DuckDB's Arrow export) into a partition that owns its batches. */
final class ArrowResults {
    private ArrowResults() {}

    /** Reads every batch; the reader's root is reused per batch, so each one moves into a root of its own. */
    static Partition drain(ArrowReader reader, BufferAllocator allocator) throws IOException {
        List<VectorSchemaRoot> batches = new ArrayList<>();
        try {
            VectorSchemaRoot current = reader.getVectorSchemaRoot();
            while (reader.loadNextBatch()) {
                if (current.getRowCount() == 0) {
                    continue;
                }
                VectorSchemaRoot own = VectorSchemaRoot.create(current.getSchema(), allocator);
                batches.add(own);
                try (ArrowRecordBatch batch = new VectorUnloader(current).getRecordBatch()) {
                    new VectorLoader(own).load(batch);
                }
            }
            return batches.isEmpty() ? Partition.empty(current.getSchema()) : Partition.of(batches);
        } catch (IOException | RuntimeException e) {
            batches.forEach(VectorSchemaRoot::close);
            throw e;
        }
    }
}
