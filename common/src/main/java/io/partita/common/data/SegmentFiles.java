package io.partita.common.data;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.VectorUnloader;
import org.apache.arrow.vector.ipc.ArrowStreamReader;
import org.apache.arrow.vector.ipc.ArrowStreamWriter;
import org.apache.arrow.vector.ipc.WriteChannel;
import org.apache.arrow.vector.ipc.message.ArrowRecordBatch;
import org.apache.arrow.vector.ipc.message.IpcOption;
import org.apache.arrow.vector.ipc.message.MessageSerializer;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Partitions as files in the Arrow IPC stream format: the format of shared segments and of spill files.
 * A file holds the schema message, one record batch message per batch (uncompressed, bodies 8-byte aligned), and
 * the end-of-stream marker. Dictionary-encoded columns are not supported.
 */
public final class SegmentFiles {
    private SegmentFiles() {}

    /**
     * Writes {@code p} to {@code file} (written to a temp file beside it, then atomically renamed); returns the
     * file's size in bytes. Does not close {@code p}. The file is not fsynced: segments and spill files do not
     * outlive the process that wrote them.
     */
    public static long write(Partition p, Path file) throws IOException {
        Path target = file.toAbsolutePath();
        return write(p, Files.createTempFile(target.getParent(), "." + target.getFileName(), ".tmp"), target);
    }

    /**
     * Writes {@code p} into {@code tmp}, an empty file the caller made beside {@code file} (it is not truncated, so
     * pages it already has, as in a spare segment file, are kept and written into), then renames it to {@code file};
     * deletes {@code tmp} when that fails. Returns the file's size. Does not close {@code p}.
     */
    public static long write(Partition p, Path tmp, Path file) throws IOException {
        Objects.requireNonNull(p, "partition");
        Path target = file.toAbsolutePath();
        boolean moved = false;
        try {
            long size;
            try (Appender out = new Appender(tmp, p.schema())) {
                for (VectorSchemaRoot batch : p.batches()) {
                    out.append(batch);
                }
                size = out.finish();
            }
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            moved = true;
            return size;
        } finally {
            if (!moved) {
                Files.deleteIfExists(tmp);
            }
        }
    }

    /**
     * Writes a segment file batch by batch, as the batches arrive (from a Flight stream, say), so that a table need
     * not be held whole before it is written: the schema at once, each {@link #append}ed batch's buffers straight
     * into the file, the end-of-stream marker at {@link #finish}. The file must be empty; it is not truncated (pages
     * it already has, as in a spare segment file, are written into). Closing without finishing leaves a file that is
     * not a segment: delete it.
     */
    public static final class Appender implements AutoCloseable {
        private final FileChannel channel;
        private final WriteChannel out;
        private final Schema schema;
        private boolean finished;

        public Appender(Path file, Schema schema) throws IOException {
            this.schema = Objects.requireNonNull(schema, "schema");
            this.channel = FileChannel.open(file, StandardOpenOption.WRITE);
            this.out = new WriteChannel(channel);
            try {
                MessageSerializer.serialize(out, schema, IpcOption.DEFAULT);
            } catch (IOException | RuntimeException e) {
                channel.close();
                throw e;
            }
        }

        /** Writes {@code batch} (its schema must be the file's); the batch is not consumed. Returns the bytes of its buffers. */
        public long append(VectorSchemaRoot batch) throws IOException {
            if (finished) {
                throw new IllegalStateException("the segment file is finished");
            }
            if (!schema.equals(batch.getSchema())) {
                throw new IllegalArgumentException("a batch with schema " + batch.getSchema() + " cannot go into a segment of " + schema);
            }
            try (ArrowRecordBatch rb = new VectorUnloader(batch).getRecordBatch()) {
                MessageSerializer.serialize(out, rb, IpcOption.DEFAULT);
                return rb.computeBodyLength();
            }
        }

        /** Writes the end-of-stream marker; returns the file's size. */
        public long finish() throws IOException {
            if (!finished) {
                ArrowStreamWriter.writeEndOfStream(out, IpcOption.DEFAULT);
                finished = true;
            }
            return out.getCurrentPosition();
        }

        @Override
        public void close() throws IOException {
            out.close(); // closes the channel
        }
    }

    /** Reads a segment file into buffers of {@code allocator} (a copy; for when mapping is not wanted). Caller owns the result. */
    public static Partition read(Path file, BufferAllocator allocator) throws IOException {
        List<VectorSchemaRoot> batches = new ArrayList<>();
        boolean ok = false;
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
             ArrowStreamReader reader = new ArrowStreamReader(channel, allocator)) {
            Schema schema = reader.getVectorSchemaRoot().getSchema();
            if (!reader.getDictionaryVectors().isEmpty()) {
                throw new IOException(file + ": dictionary-encoded columns are not supported in segment files");
            }
            while (reader.loadNextBatch()) {
                batches.add(Batches.take(reader.getVectorSchemaRoot(), allocator));
            }
            Partition result = batches.isEmpty() ? Partition.empty(schema) : Partition.of(batches);
            ok = true;
            return result;
        } finally {
            if (!ok) {
                batches.forEach(VectorSchemaRoot::close);
            }
        }
    }
}
