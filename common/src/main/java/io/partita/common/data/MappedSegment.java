package io.partita.common.data;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.flatbuf.MessageHeader;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.ForeignAllocation;
import org.apache.arrow.vector.VectorLoader;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ReadChannel;
import org.apache.arrow.vector.ipc.message.ArrowRecordBatch;
import org.apache.arrow.vector.ipc.message.MessageMetadataResult;
import org.apache.arrow.vector.ipc.message.MessageSerializer;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * A segment file (see {@link SegmentFiles}) mapped read-only into this process
 * ({@code FileChannel.map(READ_ONLY, 0, size, Arena.ofShared())}), wrapped as ONE ArrowBuf with
 * {@link BufferAllocator#wrapForeignAllocation}. Partitions read from it use its pages in place: no copy. The
 * allocator is charged the file's size once, for the foreign allocation (that is how Arrow accounts it), and
 * nothing more for the views' data.
 *
 * <p>Lifetime: the mapping (its Arena) is closed when this MappedSegment AND every partition view made from it are
 * closed: the views' vectors hold references on the wrapped ArrowBuf, and the foreign allocation's release closes
 * the Arena. Unlinking the file while mapped is fine (POSIX). Truncating it while mapped is not (SIGBUS).
 *
 * <p>The views are read-only: the pages are mapped without write permission, so writing into a view's vectors
 * crashes the process. Views' vectors belong to the allocator given to {@link #map}, which must stay open until
 * every view is closed.
 */
public final class MappedSegment implements AutoCloseable {
    private final Path file;
    private final BufferAllocator allocator;
    private final MemorySegment segment;
    private final ArrowBuf buffer;
    private final Schema schema;
    private boolean closed;

    private MappedSegment(Path file, BufferAllocator allocator, MemorySegment segment, ArrowBuf buffer, Schema schema) {
        this.file = file;
        this.allocator = allocator;
        this.segment = segment;
        this.buffer = buffer;
        this.schema = schema;
    }

    /** Maps {@code file} read-only; the caller owns the result and closes it. */
    public static MappedSegment map(Path file, BufferAllocator allocator) throws IOException {
        Arena arena = Arena.ofShared();
        ArrowBuf buffer = null;
        try {
            MemorySegment segment;
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
                long size = channel.size();
                if (size < 8) {
                    throw new IOException(file + " is not a segment file: " + size + " bytes");
                }
                segment = channel.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
            }
            buffer = allocator.wrapForeignAllocation(new ForeignAllocation(segment.byteSize(), segment.address()) {
                @Override
                protected void release0() {
                    arena.close();
                }
            });
            Schema schema = readSchema(new ReadChannel(new SegmentChannel(segment)), file);
            return new MappedSegment(file, allocator, segment, buffer, schema);
        } catch (IOException | RuntimeException | Error e) {
            if (buffer != null) {
                buffer.close(); // releases the foreign allocation, which closes the arena
            } else {
                arena.close();
            }
            throw e;
        }
    }

    /**
     * A new zero-copy view of the partition in the file; each call returns a new Partition the caller closes.
     * Its buffers are slices of the mapping, its vectors belong to the allocator given to {@link #map}.
     */
    public synchronized Partition partition() {
        if (closed) {
            throw new IllegalStateException("mapped segment " + file + " is closed");
        }
        SegmentChannel channel = new SegmentChannel(segment);
        ReadChannel in = new ReadChannel(channel);
        List<VectorSchemaRoot> batches = new ArrayList<>();
        boolean ok = false;
        try {
            readSchema(in, file);
            MessageMetadataResult message;
            while ((message = MessageSerializer.readMessage(in)) != null) {
                if (message.headerType() != MessageHeader.RecordBatch) {
                    throw new IOException(file + ": unsupported IPC message type " + message.headerType()
                            + " (segment files hold a schema and record batches only)");
                }
                long start = channel.position;
                long length = message.getMessageBodyLength();
                if (length < 0 || start + length > segment.byteSize()) {
                    throw new IOException(file + ": truncated record batch body at " + start);
                }
                channel.position = start + length;
                ArrowBuf body = buffer.slice(start, length);
                VectorSchemaRoot root = VectorSchemaRoot.create(schema, allocator);
                batches.add(root);
                // deserializeRecordBatch consumes one reference of the body (it releases it last, after the batch
                // has retained each slice): give it its own, on the mapping's ledger
                body.getReferenceManager().retain();
                ArrowRecordBatch batch;
                try {
                    batch = MessageSerializer.deserializeRecordBatch(message, body);
                } catch (IOException | RuntimeException e) {
                    body.getReferenceManager().release();
                    throw e;
                }
                try (ArrowRecordBatch rb = batch) {
                    new VectorLoader(root).load(rb); // no codec: a compressed batch fails here rather than being copied
                }
            }
            Partition p = batches.isEmpty() ? Partition.empty(schema) : Partition.of(batches);
            ok = true;
            return p;
        } catch (IOException e) {
            throw new IllegalStateException("cannot read segment " + file + ": " + e.getMessage(), e);
        } finally {
            if (!ok) {
                batches.forEach(VectorSchemaRoot::close);
            }
        }
    }

    /** The schema of the partition in the file. */
    public Schema schema() {
        return schema;
    }

    /** The file's size in bytes (the size of the mapping). */
    public long size() {
        return segment.byteSize();
    }

    public Path file() {
        return file;
    }

    /** Drops this handle's reference; the mapping stays until every view made from it is closed too. Idempotent. */
    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            buffer.close();
        }
    }

    private static Schema readSchema(ReadChannel in, Path file) throws IOException {
        MessageMetadataResult message = MessageSerializer.readMessage(in);
        if (message == null || message.headerType() != MessageHeader.Schema) {
            throw new IOException(file + " is not an Arrow IPC stream: it does not start with a schema message");
        }
        if (message.messageHasBody()) {
            throw new IOException(file + ": schema message with a body");
        }
        return MessageSerializer.deserializeSchema(message);
    }

    /** Reads the mapped bytes in order; the record batch bodies are skipped by moving {@link #position}. */
    private static final class SegmentChannel implements ReadableByteChannel {
        private final MemorySegment segment;
        long position;

        SegmentChannel(MemorySegment segment) {
            this.segment = segment;
        }

        @Override
        public int read(ByteBuffer dst) {
            long left = segment.byteSize() - position;
            if (left <= 0) {
                return -1;
            }
            int n = (int) Math.min(dst.remaining(), left);
            dst.put(segment.asSlice(position, n).asByteBuffer());
            position += n;
            return n;
        }

        @Override
        public boolean isOpen() {
            return true;
        }

        @Override
        public void close() {}
    }
}
