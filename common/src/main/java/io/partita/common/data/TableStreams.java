package io.partita.common.data;

import io.partita.common.flight.FlightJvm;
import io.partita.common.flight.PutOutcome;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.apache.arrow.flight.BackpressureStrategy;
import org.apache.arrow.flight.CallOption;
import org.apache.arrow.flight.CallStatus;
import org.apache.arrow.flight.FlightClient;
import org.apache.arrow.flight.FlightDescriptor;
import org.apache.arrow.flight.FlightProducer.ServerStreamListener;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.FlightStream;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Partitions over Arrow Flight: a stream with the table's own schema and record batches (no dictionaries).
 * Sending loads each batch into one root owned here, sharing the partition's buffers by reference count (they are
 * copied instead when the partition's buffers come from another root allocator); the partition is not consumed.
 * Both DoGet and DoPut send a batch larger than {@link #MAX_BATCH_BYTES} as zero-copy row slices, with Flight's
 * zero-copy write.
 */
public final class TableStreams {
    /** How long a sender waits for the peer to take more data before checking its readiness again. */
    private static final long READY_STEP_MILLIS = 2;

    /**
     * Largest record batch message sent over Flight (bytes, default 4 MiB; system property
     * {@code partita.flight.max-batch-bytes}): a bigger batch is sent as zero-copy row slices of at most this size, so
     * that gRPC streams and both ends pipeline instead of buffering one huge message. The receiver sees the slices as
     * separate batches.
     */
    public static final long MAX_BATCH_BYTES = Long.getLong("partita.flight.max-batch-bytes", 4L << 20);

    /**
     * Whether a receiver that stores what it reads (a worker's Flight fallback) writes each batch into the new
     * segment file as it arrives (default) instead of holding the whole table first; system property
     * {@code partita.flight.stream-to-segment}.
     */
    public static final boolean STREAM_TO_SEGMENT = !"false".equals(System.getProperty("partita.flight.stream-to-segment"));

    /**
     * Messages a sender queues past gRPC's readiness (default 4; system property {@code partita.flight.ahead-batches};
     * 1 waits for readiness before every message). gRPC says a stream is ready only while less than 32 KiB are
     * queued, so waiting for it before each 4 MiB message lets the socket run dry while the sender wakes up and
     * queues the next one; a few messages ahead keep it busy. With zero-copy write they are references to the
     * partition's buffers, not copies.
     */
    static final int AHEAD_BATCHES = Math.max(1, Integer.getInteger("partita.flight.ahead-batches", 4));

    private TableStreams() {}

    /**
     * Server side of DoGet: {@code listener.start(root)}, one {@code putNext} per batch (waiting while the client is
     * not ready), then {@code completed()}. Does not close {@code p}. Failures go to {@code listener.error}; a
     * cancelled call stops quietly.
     */
    public static void write(Partition p, BufferAllocator allocator, ServerStreamListener listener) {
        write(p, allocator, listener, MAX_BATCH_BYTES);
    }

    /** {@link #write(Partition, BufferAllocator, ServerStreamListener)} with batches sliced to {@code maxBatchBytes}. */
    public static void write(Partition p, BufferAllocator allocator, ServerStreamListener listener, long maxBatchBytes) {
        BackpressureStrategy backpressure = new BackpressureStrategy.CallbackBackpressureStrategy();
        backpressure.register(listener);
        try (VectorSchemaRoot root = VectorSchemaRoot.create(p.schema(), allocator)) {
            // zero-copy write: gRPC gets references to the batch's buffers (retained until Netty has written them,
            // possibly after this method returns) instead of a copy; safe because nobody writes into a sent
            // partition, and segment files are only ever unlinked or replaced by rename, never truncated
            listener.setUseZeroCopy(true);
            listener.start(root);
            boolean[] first = {true};
            boolean sent = sendSliced(p, maxBatchBytes, listener::isCancelled, listener::isReady,
                    () -> awaitReady(listener, backpressure), batch -> {
                Batches.load(batch, root, allocator);
                if (first[0]) { // the first batch says how big the table is, so that a receiver can make room for it at once
                    first[0] = false;
                    listener.putNext(sizeHint(allocator, p.bufferBytes()));
                } else {
                    listener.putNext();
                }
            });
            if (sent) {
                listener.completed();
            } // else cancelled by the client
        } catch (RuntimeException e) {
            listener.error(e instanceof FlightRuntimeException ? e
                    : CallStatus.INTERNAL.withCause(e).withDescription("cannot stream partition: " + e).toRuntimeException());
        }
    }

    /**
     * Sends each batch of {@code p} with {@code send}, a batch over {@code maxBatchBytes} as zero-copy row slices, at
     * most {@link #AHEAD_BATCHES} of them since gRPC last said {@code ready}, then only once {@code awaitReady} says
     * the peer takes more; returns false when the call {@code ended} or {@code awaitReady} said stop.
     */
    private static boolean sendSliced(Partition p, long maxBatchBytes, BooleanSupplier ended, BooleanSupplier ready,
                                      BooleanSupplier awaitReady, Consumer<VectorSchemaRoot> send) {
        int sinceReady = 0;
        for (VectorSchemaRoot batch : p.batches()) {
            int rows = batch.getRowCount();
            int step = Batches.sliceRows(batch, maxBatchBytes);
            for (int from = 0; from < rows || from == 0; from += step) {
                if (ended.getAsBoolean()) {
                    return false;
                }
                if (ready.getAsBoolean()) {
                    sinceReady = 0;
                } else if (sinceReady >= AHEAD_BATCHES) {
                    if (!awaitReady.getAsBoolean()) {
                        return false;
                    }
                    sinceReady = 0;
                }
                sinceReady++;
                if (step >= rows) {
                    send.accept(batch);
                } else {
                    try (VectorSchemaRoot slice = batch.slice(from, Math.min(step, rows - from))) {
                        send.accept(slice);
                    }
                }
                if (rows == 0) {
                    break;
                }
            }
        }
        return true;
    }

    /**
     * Waits until gRPC takes more data. Checks {@code listener.isReady()} itself and waits on the callback strategy in
     * short steps: Flight 19's CallbackBackpressureStrategy often did not wake up when the stream became ready again,
     * and with a long wait each miss stalled the stream for the whole interval (measured: 1 s stalls on about half of
     * the 4 MiB slices of a 256 MiB table).
     */
    private static boolean awaitReady(ServerStreamListener listener, BackpressureStrategy backpressure) {
        while (true) {
            if (listener.isCancelled()) {
                return false;
            }
            if (listener.isReady()) {
                return true;
            }
            switch (backpressure.waitForListener(READY_STEP_MILLIS)) {
                case READY, OTHER -> {
                    return true;
                }
                case CANCELLED -> {
                    return false;
                }
                case TIMEOUT -> {
                    // the client is slow: keep waiting; its deadline cancels the call
                }
            }
        }
    }

    /** An 8-byte application metadata buffer holding {@code bytes} (Flight takes it over when sent). */
    private static org.apache.arrow.memory.ArrowBuf sizeHint(BufferAllocator allocator, long bytes) {
        org.apache.arrow.memory.ArrowBuf hint = allocator.buffer(Long.BYTES);
        hint.setLong(0, bytes);
        hint.writerIndex(Long.BYTES);
        return hint;
    }

    /**
     * The table's buffer bytes as the sender announced them with its first batch (see {@link #write}), after the
     * first {@code stream.next()}; -1 when it did not (another sender, or an empty table).
     */
    public static long sizeHint(FlightStream stream) {
        org.apache.arrow.memory.ArrowBuf metadata = stream.getLatestMetadata();
        return metadata != null && metadata.readableBytes() == Long.BYTES ? metadata.getLong(metadata.readerIndex()) : -1;
    }

    /**
     * Writes the batch loaded in {@code stream}'s root (when {@code loaded}, the result of its last {@code next()})
     * and every following batch into {@code tmp} as a segment file (see {@link SegmentFiles.Appender}), batch by
     * batch as they arrive, then renames it to {@code file}; deletes {@code tmp} when that fails. Returns the file's
     * size. Each batch is copied once, from the buffers Flight read it into to the file's pages; the table is never
     * held whole. Does not close the stream.
     */
    public static long writeSegment(FlightStream stream, boolean loaded, Path tmp, Path file) throws Exception {
        boolean moved = false;
        try {
            long size;
            try (SegmentFiles.Appender out = new SegmentFiles.Appender(tmp, stream.getSchema())) {
                for (boolean more = loaded; more; more = stream.next()) {
                    out.append(stream.getRoot());
                }
                checkNoDictionaries(stream);
                size = out.finish();
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            moved = true;
            return size;
        } finally {
            if (!moved) {
                Files.deleteIfExists(tmp);
            }
        }
    }

    private static void checkNoDictionaries(FlightStream stream) {
        if (stream.getDictionaryProvider() != null && !stream.getDictionaryProvider().getDictionaryIds().isEmpty()) {
            throw new IllegalArgumentException("dictionary-encoded partitions are not supported");
        }
    }

    /**
     * Reads every batch of {@code stream} into a Partition whose buffers belong to {@code allocator} (transferred
     * out of the stream's root each batch; copied if the allocators do not share a root). Closes the stream.
     * The caller owns the result.
     */
    public static Partition read(FlightStream stream, BufferAllocator allocator) throws Exception {
        try (stream) {
            return read(stream, stream.next(), allocator);
        }
    }

    /**
     * As {@link #read(FlightStream, BufferAllocator)}, starting with the batch loaded in the stream's root when
     * {@code loaded} (the result of its last {@code next()}); does not close the stream.
     */
    public static Partition read(FlightStream stream, boolean loaded, BufferAllocator allocator) throws Exception {
        List<VectorSchemaRoot> batches = new ArrayList<>();
        boolean ok = false;
        try {
            Schema schema = stream.getSchema();
            for (boolean more = loaded; more; more = stream.next()) {
                batches.add(Batches.take(stream.getRoot(), allocator));
            }
            checkNoDictionaries(stream);
            Partition p = batches.isEmpty() ? Partition.empty(schema) : Partition.of(batches);
            ok = true;
            return p;
        } finally {
            if (!ok) {
                batches.forEach(VectorSchemaRoot::close);
            }
        }
    }

    /**
     * Client side of DoPut: sends {@code p} under {@code descriptor} and waits until the server has completed the
     * call; returns the bytes sent (the sum of the batches' buffer sizes). Does not close {@code p}. A server
     * error is thrown as a {@link FlightRuntimeException}.
     */
    public static long put(FlightClient client, FlightDescriptor descriptor, Partition p, BufferAllocator allocator,
                           CallOption... options) {
        return put(client, descriptor, p, allocator, MAX_BATCH_BYTES, options);
    }

    /**
     * {@link #put(FlightClient, FlightDescriptor, Partition, BufferAllocator, CallOption...)} with batches sliced to
     * {@code maxBatchBytes}, with zero-copy write where the JVM allows it (safe: this returns only once the server
     * has completed the call, so gRPC holds no reference to {@code p}'s buffers any more).
     */
    public static long put(FlightClient client, FlightDescriptor descriptor, Partition p, BufferAllocator allocator,
                           long maxBatchBytes, CallOption... options) {
        PutOutcome outcome = new PutOutcome();
        long[] bytes = {0};
        boolean[] first = {true};
        try (VectorSchemaRoot root = VectorSchemaRoot.create(p.schema(), allocator)) {
            FlightClient.ClientStreamListener stream = client.startPut(descriptor, root, outcome, options);
            try {
                // a client JVM without --add-opens=java.base/java.nio cannot: then Flight copies each batch
                stream.setUseZeroCopy(FlightJvm.ZERO_COPY_WRITE);
                sendSliced(p, maxBatchBytes, outcome::isDone, stream::isReady, () -> {
                    while (!stream.isReady() && !outcome.isDone()) {
                        LockSupport.parkNanos(100_000);
                    }
                    return !outcome.isDone(); // the server ended the call early: getResult reports why
                }, batch -> {
                    bytes[0] += Batches.load(batch, root, allocator);
                    if (first[0]) { // the first batch announces the table's size (see sizeHint)
                        first[0] = false;
                        stream.putNext(sizeHint(allocator, p.bufferBytes()));
                    } else {
                        stream.putNext();
                    }
                });
                stream.completed();
            } catch (RuntimeException e) {
                stream.error(e);
                throw e;
            }
            stream.getResult();
        }
        return bytes[0];
    }
}
