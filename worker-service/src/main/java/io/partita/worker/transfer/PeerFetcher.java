package io.partita.worker.transfer;

import io.partita.common.auth.ClusterToken;
import io.partita.common.flight.FetchTicket;
import io.partita.common.flight.FlightAuth;
import io.partita.common.flight.KeyValueBatches;
import io.partita.common.protocol.WorkerAddress;
import io.partita.worker.store.ObjectStore;
import java.net.URISyntaxException;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.arrow.flight.FlightClient;
import org.apache.arrow.flight.Location;
import org.apache.arrow.memory.BufferAllocator;

/** Fetches keys from peers' Flight servers into the local store; one client per peer, reused. */
public final class PeerFetcher implements AutoCloseable {
    private final BufferAllocator allocator;
    private final ObjectStore store;
    private final ClusterToken token;
    private final ConcurrentHashMap<String, FlightClient> clients = new ConcurrentHashMap<>();

    /** What one DoGet brought: keys now stored, and an error when some were not (null if all arrived). */
    public record Result(Set<String> received, Set<String> missing, String error) {}

    public PeerFetcher(BufferAllocator parent, ObjectStore store, ClusterToken token) {
        this.allocator = parent.newChildAllocator("peer-fetch", 0, Long.MAX_VALUE);
        this.store = store;
        this.token = token;
    }

    /** One DoGet to {@code holder} for {@code keys}; blocks, never throws. */
    public Result fetch(WorkerAddress holder, List<String> keys) {
        Set<String> received = new HashSet<>();
        String error = null;
        try {
            FlightClient client = clients.computeIfAbsent(holder.flightUri(), this::connect);
            KeyValueBatches.read(client.getStream(new FetchTicket(keys).toTicket(), FlightAuth.callOptions(token)),
                    (key, value) -> {
                        store.put(key, value);
                        received.add(key);
                    });
        } catch (Exception e) {
            error = "Flight DoGet from " + holder.workerId() + " at " + holder.flightUri() + " failed: " + e.getMessage();
            FlightClient broken = clients.remove(holder.flightUri());
            closeQuietly(broken);
        }
        Set<String> missing = new HashSet<>(keys);
        missing.removeAll(received);
        if (!missing.isEmpty() && error == null) {
            error = "worker " + holder.workerId() + " does not hold it";
        }
        return new Result(received, missing, error);
    }

    private FlightClient connect(String uri) {
        try {
            return FlightClient.builder(allocator, new Location(uri)).build();
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("bad Flight URI " + uri, e);
        }
    }

    private static void closeQuietly(FlightClient client) {
        if (client != null) {
            try {
                client.close();
            } catch (Exception ignored) {
                // a broken connection: nothing more to release
            }
        }
    }

    @Override
    public void close() {
        clients.values().forEach(PeerFetcher::closeQuietly);
        clients.clear();
        allocator.close();
    }
}
