package io.partita.common.data;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.locks.LockSupport;
import org.apache.arrow.flight.BackpressureStrategy;
import org.apache.arrow.flight.CallOption;
import org.apache.arrow.flight.CallStatus;
import org.apache.arrow.flight.FlightClient;
import org.apache.arrow.flight.FlightDescriptor;
import org.apache.arrow.flight.FlightProducer.ServerStreamListener;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.FlightStream;
import org.apache.arrow.flight.PutResult;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Partitions over Arrow Flight: a stream with the table's own schema and record batches (no dictionaries).
 * Sending loads each batch into one root owned here, sharing the partition's buffers by reference count (they are
 * copied instead when the partition's buffers come from another root allocator); the partition is not consumed.
 */
public final class TableStreams {
    /** How long a sender waits for the peer to take more data before checking again. */
    private static final long READY_POLL_MILLIS = 1_000;

    private TableStreams() {}

    /**
     * Server side of DoGet: {@code listener.start(root)}, one {@code putNext} per batch (waiting while the client is
     * not ready), then {@code completed()}. Does not close {@code p}. Failures go to {@code listener.error}; a
     * cancelled call stops quietly.
     */
    public static void write(Partition p, BufferAllocator allocator, ServerStreamListener listener) {
        BackpressureStrategy backpressure = new BackpressureStrategy.CallbackBackpressureStrategy();
        backpressure.register(listener);
        try (VectorSchemaRoot root = VectorSchemaRoot.create(p.schema(), allocator)) {
            listener.start(root);
            for (VectorSchemaRoot batch : p.batches()) {
                if (!awaitReady(backpressure)) {
                    return; // cancelled by the client
                }
                Batches.load(batch, root, allocator);
                listener.putNext();
            }
            listener.completed();
        } catch (RuntimeException e) {
            listener.error(e instanceof FlightRuntimeException ? e
                    : CallStatus.INTERNAL.withCause(e).withDescription("cannot stream partition: " + e).toRuntimeException());
        }
    }

    private static boolean awaitReady(BackpressureStrategy backpressure) {
        while (true) {
            switch (backpressure.waitForListener(READY_POLL_MILLIS)) {
                case READY, OTHER -> {
                    return true;
                }
                case CANCELLED -> {
                    return false;
                }
                case TIMEOUT -> { /* the client is slow: keep waiting; its deadline cancels the call */ }
            }
        }
    }

    /**
     * Reads every batch of {@code stream} into a Partition whose buffers belong to {@code allocator} (transferred
     * out of the stream's root each batch; copied if the allocators do not share a root). Closes the stream.
     * The caller owns the result.
     */
    public static Partition read(FlightStream stream, BufferAllocator allocator) throws Exception {
        List<VectorSchemaRoot> batches = new ArrayList<>();
        boolean ok = false;
        try (stream) {
            Schema schema = stream.getSchema();
            while (stream.next()) {
                batches.add(Batches.take(stream.getRoot(), allocator));
            }
            if (stream.getDictionaryProvider() != null && !stream.getDictionaryProvider().getDictionaryIds().isEmpty()) {
                throw new IllegalArgumentException("dictionary-encoded partitions are not supported");
            }
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
        PutOutcome outcome = new PutOutcome();
        long bytes = 0;
        try (VectorSchemaRoot root = VectorSchemaRoot.create(p.schema(), allocator)) {
            FlightClient.ClientStreamListener stream = client.startPut(descriptor, root, outcome, options);
            try {
                for (VectorSchemaRoot batch : p.batches()) {
                    while (!stream.isReady() && !outcome.done.isDone()) {
                        LockSupport.parkNanos(100_000);
                    }
                    if (outcome.done.isDone()) {
                        break; // the server ended the call early; getResult reports why
                    }
                    bytes += Batches.load(batch, root, allocator);
                    stream.putNext();
                }
                stream.completed();
            } catch (RuntimeException e) {
                stream.error(e);
                throw e;
            }
            stream.getResult();
        }
        return bytes;
    }

    /** Completion of a DoPut as a future, so the sender can see an early end while waiting for readiness. */
    private static final class PutOutcome implements FlightClient.PutListener {
        final CompletableFuture<Void> done = new CompletableFuture<>();

        @Override
        public void getResult() {
            try {
                done.get();
            } catch (ExecutionException e) {
                if (e.getCause() instanceof RuntimeException r) {
                    throw r;
                }
                throw CallStatus.INTERNAL.withCause(e.getCause()).toRuntimeException();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw CallStatus.CANCELLED.withCause(e).withDescription("interrupted").toRuntimeException();
            }
        }

        @Override
        public void onNext(PutResult val) {
            val.close();
        }

        @Override
        public void onError(Throwable t) {
            done.completeExceptionally(t);
        }

        @Override
        public void onCompleted() {
            done.complete(null);
        }
    }
}
