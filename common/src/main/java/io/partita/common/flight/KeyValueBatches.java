package io.partita.common.flight;

import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import org.apache.arrow.flight.FlightProducer.ServerStreamListener;
import org.apache.arrow.flight.FlightStream;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VarBinaryVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Serialized values over Flight: a stream of record batches with two columns, {@code key} (utf8) and
 * {@code value} (binary, in {@link io.partita.common.codec.ValueCodec} format). Many small values share a batch.
 */
public final class KeyValueBatches {
    public static final Schema SCHEMA = new Schema(List.of(
            new Field("key", FieldType.notNullable(ArrowType.Utf8.INSTANCE), null),
            new Field("value", FieldType.notNullable(ArrowType.Binary.INSTANCE), null)));

    /** A batch is sent once it holds this many value bytes or {@link #MAX_ROWS} rows. */
    static final long BATCH_BYTES = 4L << 20;
    static final int MAX_ROWS = 8192;

    private KeyValueBatches() {}

    /** Streams {@code entries} to {@code listener} and completes it. The caller owns {@code allocator}. */
    public static void write(BufferAllocator allocator, Iterator<Map.Entry<String, byte[]>> entries,
                             ServerStreamListener listener) {
        try (VectorSchemaRoot root = VectorSchemaRoot.create(SCHEMA, allocator)) {
            listener.start(root);
            VarCharVector keys = (VarCharVector) root.getVector(0);
            VarBinaryVector values = (VarBinaryVector) root.getVector(1);
            int rows = 0;
            long bytes = 0;
            while (entries.hasNext()) {
                Map.Entry<String, byte[]> e = entries.next();
                keys.setSafe(rows, e.getKey().getBytes(StandardCharsets.UTF_8));
                values.setSafe(rows, e.getValue());
                rows++;
                bytes += e.getValue().length;
                if (rows >= MAX_ROWS || bytes >= BATCH_BYTES) {
                    root.setRowCount(rows);
                    listener.putNext();
                    root.allocateNew();
                    rows = 0;
                    bytes = 0;
                }
            }
            if (rows > 0) {
                root.setRowCount(rows);
                listener.putNext();
            }
            listener.completed();
        }
    }

    /** Reads every row of {@code stream}, handing each key and value to {@code sink}; closes the stream. */
    public static void read(FlightStream stream, BiConsumer<String, byte[]> sink) throws Exception {
        try (stream) {
            while (stream.next()) {
                VectorSchemaRoot root = stream.getRoot();
                VarCharVector keys = (VarCharVector) root.getVector(0);
                VarBinaryVector values = (VarBinaryVector) root.getVector(1);
                for (int i = 0; i < root.getRowCount(); i++) {
                    sink.accept(new String(keys.get(i), StandardCharsets.UTF_8), values.get(i));
                }
            }
        }
    }
}
