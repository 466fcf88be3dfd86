package io.partita.client;

import io.partita.common.auth.ClusterToken;
import io.partita.common.flight.FetchTicket;
import io.partita.common.flight.FlightAuth;
import io.partita.common.flight.KeyValueBatches;
import io.partita.common.protocol.WorkerAddress;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.function.Supplier;
import org.apache.arrow.flight.CallOption;
import org.apache.arrow.flight.FlightClient;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.FlightStatusCode;
import org.apache.arrow.flight.Location;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;

/**
 * Fetches serialized values over Arrow Flight: one {@code DoGet(FetchTicket)} per holder worker, in parallel, with
 * the scheduler's Flight proxy as the fallback for workers that cannot be reached (or the only route in PROXY mode).
 * Owns its allocator and one {@link FlightClient} per endpoint.
 */
final class Gatherer implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Gatherer.class.getName());

    private final GatherMode mode;
    private final CallOption[] callOptions;
    private final Supplier<String> proxyUri;
    private final ExecutorService pool;
    private final BufferAllocator allocator = new RootAllocator();
    private final ConcurrentHashMap<String, FlightClient> clients = new ConcurrentHashMap<>();
    private volatile boolean closed;

    Gatherer(GatherMode mode, ClusterToken token, Supplier<String> proxyUri, ExecutorService pool) {
        this.mode = mode;
        this.callOptions = FlightAuth.callOptions(token);
        this.proxyUri = proxyUri;
        this.pool = pool;
    }

    /** The serialized value of every key, given each key's holders. */
    Map<String, byte[]> fetch(Map<String, List<WorkerAddress>> holdersByKey) {
        Map<String, byte[]> values = new ConcurrentHashMap<>(Math.max(16, holdersByKey.size() * 2));
        if (mode == GatherMode.PROXY) {
            fetchFrom(proxy(), holdersByKey.keySet(), values);
        } else {
            Map<String, List<String>> plan = plan(holdersByKey);
            List<String> retry = java.util.Collections.synchronizedList(new ArrayList<>());
            if (plan.size() == 1) {
                var e = plan.entrySet().iterator().next();
                fetchDirect(e.getKey(), e.getValue(), values, retry);
            } else {
                List<CompletableFuture<Void>> calls = new ArrayList<>();
                for (var e : plan.entrySet()) {
                    calls.add(CompletableFuture.runAsync(() -> fetchDirect(e.getKey(), e.getValue(), values, retry), pool));
                }
                try {
                    CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new)).join();
                } catch (java.util.concurrent.CompletionException e) {
                    throw e.getCause() instanceof RuntimeException r ? r : e;
                }
            }
            if (!retry.isEmpty()) {
                fetchFrom(proxy(), retry, values);
            }
        }
        for (String key : holdersByKey.keySet()) {
            if (!values.containsKey(key)) {
                throw new PartitaException("the value of " + key + " could not be fetched: no holder returned it"
                        + " (was it released, or its worker lost?)");
            }
        }
        return values;
    }

    /** Groups keys by endpoint, preferring for each key the holder most other keys share (fewest calls). */
    static Map<String, List<String>> plan(Map<String, List<WorkerAddress>> holdersByKey) {
        Map<String, Integer> counts = new HashMap<>();
        for (List<WorkerAddress> holders : holdersByKey.values()) {
            for (WorkerAddress h : holders) {
                counts.merge(h.flightUri(), 1, Integer::sum);
            }
        }
        Map<String, List<String>> plan = new LinkedHashMap<>();
        for (var e : holdersByKey.entrySet()) {
            String best = null;
            int bestCount = -1;
            for (WorkerAddress h : e.getValue()) {
                int c = counts.get(h.flightUri());
                if (c > bestCount) {
                    best = h.flightUri();
                    bestCount = c;
                }
            }
            if (best == null) {
                throw new PartitaException("no worker holds " + e.getKey());
            }
            plan.computeIfAbsent(best, u -> new ArrayList<>()).add(e.getKey());
        }
        return plan;
    }

    private void fetchDirect(String uri, List<String> keys, Map<String, byte[]> values, List<String> retry) {
        try {
            fetchFrom(uri, keys, values);
        } catch (FlightRuntimeException e) {
            if (mode == GatherMode.AUTO && unreachable(e)) {
                LOG.log(System.Logger.Level.DEBUG, "worker {0} unreachable ({1}); fetching through the scheduler", uri, e.getMessage());
                retry.addAll(keys);
                return;
            }
            throw new PartitaException("cannot fetch results from worker " + uri + ": " + e.status().code() + " "
                    + e.getMessage(), e);
        }
        if (mode == GatherMode.AUTO) {
            for (String k : keys) {
                if (!values.containsKey(k)) {
                    retry.add(k);
                }
            }
        }
    }

    private static boolean unreachable(FlightRuntimeException e) {
        FlightStatusCode code = e.status().code();
        return code == FlightStatusCode.UNAVAILABLE || code == FlightStatusCode.TIMED_OUT || code == FlightStatusCode.UNKNOWN;
    }

    private void fetchFrom(String uri, Collection<String> keys, Map<String, byte[]> values) {
        if (keys.isEmpty()) {
            return;
        }
        FlightClient client = client(uri);
        try {
            KeyValueBatches.read(client.getStream(new FetchTicket(List.copyOf(keys)).toTicket(), callOptions), values::put);
        } catch (FlightRuntimeException e) {
            if (e.status().code() == FlightStatusCode.UNAUTHENTICATED) {
                throw new PartitaException("unauthenticated: " + uri + " refused the fetch: " + e.getMessage(), e);
            }
            throw e;
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new PartitaException("cannot fetch results from " + uri + ": " + e, e);
        }
    }

    private String proxy() {
        String uri = proxyUri.get();
        if (uri == null || uri.isBlank()) {
            throw new PartitaException("the scheduler announced no Flight proxy; cannot gather through it");
        }
        return uri;
    }

    private FlightClient client(String uri) {
        if (closed) {
            throw new PartitaException("the client is closed");
        }
        return clients.computeIfAbsent(uri, u -> {
            try {
                return FlightClient.builder(allocator, new Location(u)).maxInboundMessageSize(Integer.MAX_VALUE).build();
            } catch (URISyntaxException e) {
                throw new PartitaException("bad Flight endpoint " + u + ": " + e.getMessage(), e);
            }
        });
    }

    @Override
    public void close() {
        closed = true;
        for (FlightClient c : clients.values()) {
            try {
                c.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (Exception e) {
                LOG.log(System.Logger.Level.DEBUG, "closing a Flight client failed", e);
            }
        }
        clients.clear();
        try {
            allocator.close();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "Flight allocator closed with outstanding buffers: {0}", e.getMessage());
        }
    }
}
