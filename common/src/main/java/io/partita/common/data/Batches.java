package io.partita.common.data;

import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorLoader;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.VectorUnloader;
import org.apache.arrow.vector.ipc.message.ArrowRecordBatch;
import org.apache.arrow.util.AutoCloseables;
import org.apache.arrow.vector.util.TransferPair;

/** Moving record batches between roots and allocators (package-private helpers of the data package). */
final class Batches {
    private Batches() {}

    /**
     * Takes the buffers of {@code source} into a new root whose buffers belong to {@code allocator}, leaving
     * {@code source} empty. Buffers move by ownership transfer when both allocators share a root allocator
     * (Arrow cannot transfer otherwise); else they are copied and {@code source} is cleared.
     */
    static VectorSchemaRoot take(VectorSchemaRoot source, BufferAllocator allocator) {
        int rows = source.getRowCount();
        if (!sameRoot(source, allocator)) {
            VectorSchemaRoot copy = VectorSchemaRoot.create(source.getSchema(), allocator);
            try {
                load(source, copy, allocator);
            } catch (RuntimeException e) {
                copy.close();
                throw e;
            }
            source.clear();
            return copy;
        }
        List<FieldVector> taken = new ArrayList<>(source.getFieldVectors().size());
        try {
            for (FieldVector v : source.getFieldVectors()) {
                TransferPair tp = v.getTransferPair(allocator);
                taken.add((FieldVector) tp.getTo());
                tp.transfer();
            }
        } catch (RuntimeException e) {
            taken.forEach(FieldVector::close);
            throw e;
        }
        return new VectorSchemaRoot(source.getSchema(), taken, rows);
    }

    /**
     * Loads the data of {@code source} into {@code target} (whose vectors belong to {@code allocator}) without
     * consuming {@code source}: the buffers are shared by reference count when the allocators share a root allocator,
     * copied otherwise. Returns the loaded buffers' size as {@link Partition#bufferBytes} counts it.
     */
    static long load(VectorSchemaRoot source, VectorSchemaRoot target, BufferAllocator allocator) {
        try (ArrowRecordBatch rb = new VectorUnloader(source).getRecordBatch()) {
            if (sharesRoot(rb, allocator)) {
                new VectorLoader(target).load(rb);
            } else {
                try (ArrowRecordBatch copy = copy(rb, allocator)) {
                    new VectorLoader(target).load(copy);
                }
            }
            long bytes = 0;
            for (FieldVector v : target.getFieldVectors()) {
                bytes += v.getBufferSize();
            }
            return bytes;
        }
    }

    /**
     * Rows per slice so that a slice of {@code batch} holds at most about {@code maxBytes} of buffers: a multiple of
     * 64 rows (validity bitmaps and 1-bit values then start on 8-byte boundaries, so {@link VectorSchemaRoot#slice}
     * shares their buffers rather than copying them), at least 64; the batch's row count (one slice) when it fits.
     */
    static int sliceRows(VectorSchemaRoot batch, long maxBytes) {
        int rows = batch.getRowCount();
        long bytes = 0;
        for (FieldVector v : batch.getFieldVectors()) {
            bytes += v.getBufferSize();
        }
        if (rows <= 64 || bytes <= maxBytes || maxBytes <= 0) {
            return Math.max(rows, 1);
        }
        long perRow = Math.max(1, (bytes + rows - 1) / rows);
        long step = Math.max(64, (maxBytes / perRow) & ~63L);
        return (int) Math.min(step, rows);
    }

    private static boolean sameRoot(VectorSchemaRoot source, BufferAllocator allocator) {
        for (FieldVector v : source.getFieldVectors()) {
            if (v.getAllocator().getRoot() != allocator.getRoot()) {
                return false;
            }
            for (ArrowBuf b : v.getFieldBuffers()) {
                if (b.getReferenceManager().getAllocator().getRoot() != allocator.getRoot()) {
                    return false;
                }
            }
        }
        return true;
    }

    private static boolean sharesRoot(ArrowRecordBatch rb, BufferAllocator allocator) {
        for (ArrowBuf b : rb.getBuffers()) {
            if (b.getReferenceManager().getAllocator().getRoot() != allocator.getRoot()) {
                return false;
            }
        }
        return true;
    }

    private static ArrowRecordBatch copy(ArrowRecordBatch rb, BufferAllocator allocator) {
        List<ArrowBuf> copies = new ArrayList<>(rb.getBuffers().size());
        try {
            for (ArrowBuf b : rb.getBuffers()) {
                long n = b.readableBytes();
                ArrowBuf c = allocator.buffer(n);
                copies.add(c);
                c.setBytes(0, b, b.readerIndex(), n);
                c.writerIndex(n);
            }
            // the batch retains the copies; ours are released below
            return new ArrowRecordBatch(rb.getLength(), rb.getNodes(), copies, rb.getBodyCompression(),
                    rb.getVariadicBufferCounts(), true, true);
        } finally {
            try {
                AutoCloseables.close(copies);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
