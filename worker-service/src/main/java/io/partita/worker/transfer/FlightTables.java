package io.partita.worker.transfer;

import io.partita.common.data.Partition;
import io.partita.common.data.TableStreams;
import io.partita.worker.store.ObjectStore;
import java.io.IOException;
import org.apache.arrow.flight.FlightStream;
import org.apache.arrow.memory.BufferAllocator;

/** Storing a table that arrives over Flight (a peer's DoGet answer, a client's DoPut) as this worker's segment. */
final class FlightTables {
    private FlightTables() {}

    /**
     * Reads {@code stream} into the store as table {@code key} and returns the bytes stored. When the sender announced
     * the table's size with its first batch ({@link TableStreams#sizeHint}), the store makes room for it and each batch
     * is written into the new segment file (a spare one when there is one) as it arrives: one copy per batch, from
     * Flight's buffers into the file's pages, and the table is never held whole in memory. Otherwise (an older
     * sender, an empty table, {@code partita.flight.stream-to-segment=false}) the table is read into
     * {@code allocator} first and then written. Does not close the stream; a Flight error is thrown as it is.
     */
    static long store(ObjectStore store, String key, FlightStream stream, BufferAllocator allocator) throws Exception {
        boolean loaded = stream.next(); // a holder without the key fails here
        long hint = TableStreams.sizeHint(stream);
        if (hint >= 0 && TableStreams.STREAM_TO_SEGMENT) {
            return store.storeSegment(key, hint, file -> {
                try {
                    return TableStreams.writeSegment(stream, loaded, store.newSegmentFile(file, hint), file);
                } catch (IOException | RuntimeException e) {
                    throw e;
                } catch (Exception e) {
                    throw new IOException(e);
                }
            });
        }
        Partition table = TableStreams.read(stream, loaded, allocator);
        long bytes = table.bufferBytes();
        store.putTable(key, table); // closes it
        return bytes;
    }
}
