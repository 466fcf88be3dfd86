package io.partita.worker.transfer;

import io.partita.common.auth.ClusterToken;
import io.partita.common.flight.FetchTicket;
import io.partita.common.flight.FlightAuth;
import io.partita.common.flight.KeyValueBatches;
import io.partita.worker.store.ObjectStore;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.arrow.flight.CallStatus;
import org.apache.arrow.flight.FlightServer;
import org.apache.arrow.flight.Location;
import org.apache.arrow.flight.NoOpFlightProducer;
import org.apache.arrow.flight.Ticket;
import org.apache.arrow.memory.BufferAllocator;

/** The worker's Arrow Flight server: DoGet(FetchTicket) streams the held keys asked for in KeyValueBatches form. */
public final class FlightService implements AutoCloseable {
    private final BufferAllocator allocator;
    private final FlightServer server;
    private final String uri;

    /** Starts serving {@code store} on {@code host:port} (0 = any free port); owns a child of {@code parent}. */
    public FlightService(BufferAllocator parent, ObjectStore store, String host, int port, ClusterToken token)
            throws IOException {
        this.allocator = parent.newChildAllocator("flight-server", 0, Long.MAX_VALUE);
        Producer producer = new Producer(allocator, store);
        try {
            this.server = FlightServer.builder(allocator, Location.forGrpcInsecure(host, port), producer)
                    .headerAuthenticator(FlightAuth.authenticator(token))
                    .build()
                    .start();
        } catch (IOException | RuntimeException e) {
            allocator.close();
            throw new IOException("cannot start the Flight server on " + host + ":" + port
                    + " (is the port in use? pass --flight-port 0 for any free port): " + e.getMessage(), e);
        }
        this.uri = "grpc+tcp://" + host + ":" + server.getPort();
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
        private final BufferAllocator allocator;
        private final ObjectStore store;

        Producer(BufferAllocator allocator, ObjectStore store) {
            this.allocator = allocator;
            this.store = store;
        }

        @Override
        public void getStream(CallContext context, Ticket ticket, ServerStreamListener listener) {
            FetchTicket fetch;
            try {
                fetch = FetchTicket.from(ticket);
            } catch (RuntimeException e) {
                listener.error(CallStatus.INVALID_ARGUMENT.withDescription(e.getMessage()).toRuntimeException());
                return;
            }
            List<Map.Entry<String, byte[]>> found = new ArrayList<>(fetch.keys().size());
            for (String key : fetch.keys()) {
                byte[] value = store.get(key);
                if (value != null) {
                    found.add(Map.entry(key, value));
                }
            }
            try {
                KeyValueBatches.write(allocator, found.iterator(), listener);
            } catch (RuntimeException e) {
                listener.error(CallStatus.INTERNAL.withDescription("cannot stream keys: " + e).toRuntimeException());
            }
        }
    }
}
