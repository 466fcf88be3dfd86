package io.partita.worker.table;

import io.partita.common.data.Partition;
import java.util.Iterator;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorUnloader;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.apache.arrow.vector.ipc.message.ArrowRecordBatch;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * An {@link ArrowReader} over a partition's batches, for export through the Arrow C stream interface. Each batch
 * is loaded into the reader's root by reference (its buffers are retained, not copied), so DuckDB reads the
 * partition's memory, a mapped segment included, in place. It does not own the partition.
 */
final class PartitionReader extends ArrowReader {
    private final Schema schema;
    private final Iterator<org.apache.arrow.vector.VectorSchemaRoot> batches;

    PartitionReader(BufferAllocator allocator, Partition partition) {
        super(allocator);
        this.schema = partition.schema();
        this.batches = partition.batches().iterator();
    }

    @Override
    public boolean loadNextBatch() {
        if (!batches.hasNext()) {
            return false;
        }
        try (ArrowRecordBatch batch = new VectorUnloader(batches.next()).getRecordBatch()) {
            loadRecordBatch(batch); // the root retains the buffers; closing the batch drops the unloader's reference
        }
        return true;
    }

    @Override
    public long bytesRead() {
        return 0;
    }

    @Override
    protected void closeReadSource() {
    }

    @Override
    protected Schema readSchema() {
        return schema;
    }
}
