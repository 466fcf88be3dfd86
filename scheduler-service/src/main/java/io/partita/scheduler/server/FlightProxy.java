package io.partita.scheduler.server;

import io.partita.common.auth.ClusterToken;
import io.partita.common.flight.FetchTicket;
import io.partita.common.flight.FlightAuth;
import io.partita.common.flight.KeyValueBatches;
import io.partita.common.protocol.WorkerAddress;
import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.apache.arrow.flight.CallStatus;
import org.apache.arrow.flight.FlightClient;
import org.apache.arrow.flight.FlightServer;
import org.apache.arrow.flight.Location;
import org.apache.arrow.flight.NoOpFlightProducer;
import org.apache.arrow.flight.Ticket;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.util.AutoCloseables;

/**
 * The scheduler's Flight proxy: DoGet(FetchTicket) finds the holders of the keys, fetches the values from their
 * Flight servers and streams them back, for clients that cannot reach the workers.
 */
final class FlightProxy implements AutoCloseable {
    private final RootAllocator root = new RootAllocator();
    private final BufferAllocator allocator = root.newChildAllocator("flight-proxy", 0, Long.MAX_VALUE);
    private final Map<String, FlightClient> clients = new ConcurrentHashMap<>();
    private final ClusterToken token;
    private final FlightServer server;

    /** @param holders asks the state (on its event loop) where keys are held */
    FlightProxy(String host, int port, ClusterToken token,
                Function<List<String>, CompletableFuture<Map<String, List<WorkerAddress>>>> holders) throws IOException {
        this.token = token;
        server = FlightServer.builder(allocator, Location.forGrpcInsecure(host, port), new NoOpFlightProducer() {
                    @Override
                    public void getStream(CallContext context, Ticket ticket, ServerStreamListener listener) {
                        try {
                            FetchTicket fetch = FetchTicket.from(ticket);
                            Map<String, List<WorkerAddress>> where = holders.apply(fetch.keys()).get(30, TimeUnit.SECONDS);
                            Map<String, byte[]> values = fetch(fetch.keys(), where);
                            KeyValueBatches.write(allocator, values.entrySet().iterator(), listener);
                        } catch (Exception e) {
                            listener.error(CallStatus.INTERNAL.withDescription("proxy fetch failed: " + e.getMessage())
                                    .withCause(e).toRuntimeException());
                        }
                    }
                })
                .headerAuthenticator(FlightAuth.authenticator(token))
                .build()
                .start();
    }

    int port() {
        return server.getPort();
    }

    /** Fetches from the first holder of each key, one DoGet per holder. Keys not in memory are left out. */
    private Map<String, byte[]> fetch(List<String> keys, Map<String, List<WorkerAddress>> where) throws Exception {
        Map<String, List<String>> byHolder = new LinkedHashMap<>();
        for (String key : keys) {
            List<WorkerAddress> h = where.get(key);
            if (h != null && !h.isEmpty()) {
                byHolder.computeIfAbsent(h.getFirst().flightUri(), u -> new ArrayList<>()).add(key);
            }
        }
        Map<String, byte[]> values = new LinkedHashMap<>();
        for (Map.Entry<String, List<String>> e : byHolder.entrySet()) {
            FlightClient client = clients.computeIfAbsent(e.getKey(),
                    uri -> FlightClient.builder(allocator, new Location(URI.create(uri))).build());
            KeyValueBatches.read(client.getStream(new FetchTicket(e.getValue()).toTicket(), FlightAuth.callOptions(token)),
                    values::put);
        }
        return values;
    }

    @Override
    public void close() throws Exception {
        List<AutoCloseable> all = new ArrayList<>(clients.values());
        all.add(server);
        all.add(allocator);
        all.add(root);
        AutoCloseables.close(all);
    }
}
