package io.partita.worker.transfer;

import io.partita.common.auth.ClusterToken;
import io.partita.common.data.Partition;
import io.partita.common.data.TableStreams;
import io.partita.common.flight.FetchTicket;
import io.partita.common.flight.FlightAuth;
import io.partita.common.flight.FlightTickets;
import io.partita.common.flight.FlightTls;
import io.partita.common.flight.KeyValueBatches;
import io.partita.common.flight.ScatterDescriptor;
import io.partita.common.flight.TableTicket;
import io.partita.common.tls.Tls;
import io.partita.worker.store.ObjectStore;
import io.partita.worker.store.TransferStats;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.arrow.flight.CallStatus;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.FlightServer;
import org.apache.arrow.flight.FlightStream;
import org.apache.arrow.flight.NoOpFlightProducer;
import org.apache.arrow.flight.PutResult;
import org.apache.arrow.flight.Ticket;
import org.apache.arrow.memory.BufferAllocator;

/**
 * The worker's Arrow Flight server (token checked by {@link FlightAuth}):
 * <ul>
 *   <li>{@code DoGet(FetchTicket)}: the held serialized values asked for, in {@link KeyValueBatches} form; table keys
 *       and keys not held are skipped (a fetcher asks for what is missing with a TableTicket);</li>
 *   <li>{@code DoGet(TableTicket)}: one stored table, streamed from a zero-copy view of its segment (or spill
 *       file); NOT_FOUND when the key is not held or is not a table;</li>
 *   <li>{@code DoPut} with a {@link ScatterDescriptor}: a client scatters a value onto this worker; a table is stored
 *       as a segment, a serialized value (one KeyValueBatches row) on the heap. The key becomes a held key of this
 *       worker ({@code onScattered}); the client registers it with the scheduler itself.</li>
 * </ul>
 */
public final class FlightService implements AutoCloseable {
    private final BufferAllocator allocator;
    private final FlightServer server;
    private final String uri;

    /**
     * Starts serving {@code store} on {@code host:port} (0 = any free port); owns a child of {@code parent}.
     *
     * @param onScattered told of each key a DoPut stored (from a gRPC thread)
     */
    public FlightService(BufferAllocator parent, ObjectStore store, String host, int port, ClusterToken token,
                         Consumer<String> onScattered) throws IOException {
        this(parent, store, host, host, port, token, Tls.off(), onScattered);
    }

    /**
     * Listens on {@code listenHost:port} and announces {@code host} in {@link #uri()} (they differ where the worker
     * listens on every interface, {@code 0.0.0.0}, or on another address than the one peers reach it at).
     */
    public FlightService(BufferAllocator parent, ObjectStore store, String host, String listenHost, int port,
                         ClusterToken token, Tls tls, Consumer<String> onScattered) throws IOException {
        this.allocator = parent.newChildAllocator("flight-server", 0, Long.MAX_VALUE);
        Producer producer = new Producer(allocator, store, onScattered);
        try {
            this.server = FlightTls.server(allocator, listenHost, port, producer, tls)
                    .headerAuthenticator(FlightAuth.authenticator(token))
                    .build()
                    .start();
        } catch (IOException | RuntimeException e) {
            allocator.close();
            throw new IOException("cannot start the Flight server on " + listenHost + ":" + port
                    + " (is the port in use? pass --flight-port 0 for any free port): " + e.getMessage(), e);
        }
        this.uri = FlightTls.uri(host, server.getPort(), tls);
    }

    public String uri() {
        return uri;
    }

    public int port() {
        return server.getPort();
    }

    @Override
    public void close() throws InterruptedException {
        try {
            server.shutdown();
            server.awaitTermination(5, java.util.concurrent.TimeUnit.SECONDS);
            server.close();
        } finally {
            allocator.close();
        }
    }

    private static final class Producer extends NoOpFlightProducer {
        private static final long MAX_SCATTER_KEY_CHARS = 4096;

        private final BufferAllocator allocator;
        private final ObjectStore store;
        private final TransferStats stats;
        private final Consumer<String> onScattered;

        Producer(BufferAllocator allocator, ObjectStore store, Consumer<String> onScattered) {
            this.allocator = allocator;
            this.store = store;
            this.stats = store.stats();
            this.onScattered = onScattered;
        }

        @Override
        public void getStream(CallContext context, Ticket ticket, ServerStreamListener listener) {
            Record decoded;
            try {
                decoded = FlightTickets.decode(ticket);
            } catch (RuntimeException e) {
                listener.error(CallStatus.INVALID_ARGUMENT.withDescription(e.getMessage()).toRuntimeException());
                return;
            }
            switch (decoded) {
                case FetchTicket fetch -> streamValues(fetch, listener);
                case TableTicket table -> streamTable(table.key(), listener);
                default -> listener.error(CallStatus.INVALID_ARGUMENT.withDescription("unknown ticket " + decoded).toRuntimeException());
            }
        }

        private void streamValues(FetchTicket fetch, ServerStreamListener listener) {
            List<Map.Entry<String, byte[]>> found = new ArrayList<>(fetch.keys().size());
            long bytes = 0;
            try {
                for (String key : fetch.keys()) {
                    byte[] value = store.get(key); // null for tables and keys not held
                    if (value != null) {
                        found.add(Map.entry(key, value));
                        bytes += value.length;
                    }
                }
                KeyValueBatches.write(allocator, found.iterator(), listener);
                stats.flightOut(bytes);
            } catch (RuntimeException e) {
                listener.error(CallStatus.INTERNAL.withDescription("cannot stream keys: " + e).toRuntimeException());
            }
        }

        private void streamTable(String key, ServerStreamListener listener) {
            List<String> pinned = List.of(key);
            store.pin(pinned);
            try (Partition view = store.table(key)) {
                if (view == null) {
                    listener.error(CallStatus.NOT_FOUND.withDescription("this worker holds no table " + key
                            + (store.contains(key) ? " (it holds a serialized value: use a FetchTicket)" : "")).toRuntimeException());
                    return;
                }
                TableStreams.write(view, allocator, listener);
                stats.flightOut(view.bufferBytes());
            } catch (RuntimeException e) {
                listener.error(CallStatus.INTERNAL.withDescription("cannot stream table " + key + ": " + e).toRuntimeException());
            } finally {
                store.unpin(pinned);
            }
        }

        @Override
        public Runnable acceptPut(CallContext context, FlightStream stream, StreamListener<PutResult> ack) {
            return () -> {
                try {
                    ScatterDescriptor scatter;
                    try {
                        scatter = ScatterDescriptor.from(stream.getDescriptor());
                    } catch (RuntimeException e) {
                        throw CallStatus.INVALID_ARGUMENT.withDescription("a DoPut to a worker must carry a ScatterDescriptor: "
                                + e.getMessage()).toRuntimeException();
                    }
                    String key = scatter.key();
                    if (key == null || key.isBlank() || key.length() > MAX_SCATTER_KEY_CHARS) {
                        throw CallStatus.INVALID_ARGUMENT.withDescription("a scattered key must be 1 to "
                                + MAX_SCATTER_KEY_CHARS + " characters").toRuntimeException();
                    }
                    if (scatter.table()) {
                        long bytes;
                        try (stream) {
                            bytes = FlightTables.store(store, key, stream, allocator);
                        }
                        stats.flightIn(bytes);
                    } else {
                        putValue(key, stream);
                    }
                    onScattered.accept(key);
                    ack.onCompleted();
                } catch (FlightRuntimeException e) {
                    ack.onError(e);
                } catch (Exception e) {
                    ack.onError(CallStatus.INTERNAL.withDescription("cannot store the scattered value: " + e).toRuntimeException());
                }
            };
        }

        private void putValue(String key, FlightStream stream) throws Exception {
            if (!KeyValueBatches.SCHEMA.equals(stream.getSchema())) {
                stream.close();
                throw CallStatus.INVALID_ARGUMENT.withDescription("a scattered value (table=false) must be one row in "
                        + "KeyValueBatches.SCHEMA, got schema " + stream.getSchema()).toRuntimeException();
            }
            List<byte[]> values = new ArrayList<>(1);
            List<String> keys = new ArrayList<>(1);
            KeyValueBatches.read(stream, (k, v) -> {
                keys.add(k);
                values.add(v);
            });
            if (values.size() != 1 || !keys.getFirst().equals(key)) {
                throw CallStatus.INVALID_ARGUMENT.withDescription("a scattered value must be exactly one row whose key is "
                        + key + ", got keys " + keys).toRuntimeException();
            }
            store.put(key, values.getFirst());
            stats.flightIn(values.getFirst().length);
        }
    }
}
