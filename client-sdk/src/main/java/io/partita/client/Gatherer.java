package io.partita.client;

import io.partita.common.auth.ClusterToken;
import io.partita.common.flight.FlightTls;
import io.partita.common.tls.Tls;
import io.partita.common.data.Partition;
import io.partita.common.data.TableStreams;
import io.partita.common.flight.FetchTicket;
import io.partita.common.flight.FlightAuth;
import io.partita.common.flight.FlightFailures;
import io.partita.common.flight.KeyValueBatches;
import io.partita.common.flight.PutOutcome;
import io.partita.common.flight.ScatterDescriptor;
import io.partita.common.flight.TableTicket;
import io.partita.common.protocol.WorkerAddress;
import java.nio.charset.StandardCharsets;
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
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VarBinaryVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * The client's Flight traffic. Fetches serialized values: one {@code DoGet(FetchTicket)} per holder worker, in
 * parallel, with the scheduler's Flight proxy as the fallback for workers that cannot be reached (or the only route in
 * PROXY mode); fetches tables with {@code DoGet(TableTicket)} the same way; puts scattered values on workers with
 * {@code DoPut(ScatterDescriptor)}. Owns the allocator it is given (its Flight buffers) and one {@link FlightClient}
 * per endpoint.
 */
final class Gatherer implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Gatherer.class.getName());

    private final GatherMode mode;
    private final CallOption[] callOptions;
    private final Supplier<String> proxyUri;
    private final ExecutorService pool;
    private final BufferAllocator allocator;
    private final Tls tls;
    private final ConcurrentHashMap<String, FlightClient> clients = new ConcurrentHashMap<>();
    private volatile boolean closed;

    /** @param allocator for Flight's own buffers; taken over: closed by {@link #close()} */
    Gatherer(GatherMode mode, ClusterToken token, Supplier<String> proxyUri, ExecutorService pool, BufferAllocator allocator, Tls tls) {
        this.tls = tls;
        this.mode = mode;
        this.allocator = allocator;
        this.callOptions = FlightAuth.callOptions(token);
        this.proxyUri = proxyUri;
        this.pool = pool;
    }

    /** The serialized value of every key that some holder returned, given each key's holders. */
    Map<String, byte[]> fetch(Map<String, List<WorkerAddress>> holdersByKey) {
        Map<String, byte[]> values = new ConcurrentHashMap<>(Math.max(16, holdersByKey.size() * 2));
        if (mode == GatherMode.PROXY) {
            fetchThroughProxy(holdersByKey.keySet(), values);
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
                fetchThroughProxy(retry, values);
            }
        }
        return values;
    }

    /**
     * The table of {@code key}, read into {@code into}: DoGet(TableTicket) from its holders in turn, then from the
     * proxy (AUTO, when no holder could be reached or had it; PROXY: the proxy only). The caller owns the result.
     */
    Partition fetchTable(String key, List<WorkerAddress> holders, BufferAllocator into) {
        List<String> uris = new ArrayList<>();
        if (mode != GatherMode.PROXY) {
            holders.forEach(h -> uris.add(h.flightUri()));
        }
        if (mode == GatherMode.PROXY) {
            uris.add(proxy());
        } else if (mode == GatherMode.AUTO && proxyUri.get() != null && !proxyUri.get().isBlank()) {
            uris.add(proxyUri.get());
        }
        if (uris.isEmpty()) {
            throw new PartitaException("no worker holds " + key);
        }
        PartitaException last = null;
        for (int i = 0; i < uris.size(); i++) {
            String uri = uris.get(i);
            try {
                return TableStreams.read(client(uri).getStream(new TableTicket(key).toTicket(), callOptions), into);
            } catch (FlightRuntimeException e) {
                FlightStatusCode code = e.status().code();
                if (code == FlightStatusCode.UNAUTHENTICATED) {
                    throw new PartitaException("unauthenticated: " + uri + " refused the fetch of " + key + ": " + e.getMessage(), e);
                }
                last = new PartitaException("cannot fetch the table " + key + " from " + uri + ": " + code + " " + e.getMessage(), e);
                boolean next = mode == GatherMode.AUTO && (FlightFailures.unreachable(e) || code == FlightStatusCode.NOT_FOUND);
                if (!next) {
                    throw last;
                }
                LOG.log(System.Logger.Level.DEBUG, "table {0} not fetched from {1} ({2}); trying the next route", key, uri, e.getMessage());
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new PartitaException("cannot fetch the table " + key + " from " + uri + ": " + e, e);
            }
        }
        throw last;
    }

    /** Puts {@code p} (not consumed) on the worker at {@code uri} as scattered table {@code key}; returns its bytes. */
    long putTable(String uri, String key, Partition p) {
        try {
            return TableStreams.put(client(uri), new ScatterDescriptor(key, true).toDescriptor(), p, allocator, callOptions);
        } catch (FlightRuntimeException e) {
            throw putFailure(uri, key, e);
        }
    }

    /** Puts one serialized value on the worker at {@code uri} as scattered key {@code key}: one KeyValueBatches row. */
    void putValue(String uri, String key, byte[] value) {
        try (VectorSchemaRoot root = VectorSchemaRoot.create(KeyValueBatches.SCHEMA, allocator)) {
            FlightClient.ClientStreamListener stream = client(uri).startPut(new ScatterDescriptor(key, false).toDescriptor(),
                    root, new PutOutcome(), callOptions);
            try {
                ((VarCharVector) root.getVector(0)).setSafe(0, key.getBytes(StandardCharsets.UTF_8));
                ((VarBinaryVector) root.getVector(1)).setSafe(0, value);
                root.setRowCount(1);
                stream.putNext();
                stream.completed();
            } catch (RuntimeException e) {
                stream.error(e);
                throw e;
            }
            stream.getResult();
        } catch (FlightRuntimeException e) {
            throw putFailure(uri, key, e);
        }
    }

    private static PartitaException putFailure(String uri, String key, FlightRuntimeException e) {
        if (e.status().code() == FlightStatusCode.UNAUTHENTICATED) {
            return new PartitaException("unauthenticated: worker " + uri + " refused the scatter of " + key + ": " + e.getMessage(), e);
        }
        return new PartitaException("cannot scatter " + key + " to worker " + uri + ": " + e.status().code() + " "
                + e.getMessage(), e);
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
            if (mode == GatherMode.AUTO && FlightFailures.unreachable(e)) {
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

    /**
     * Fetches {@code keys} through the scheduler's proxy. A proxy that cannot be reached (a scheduler killed, its
     * standby taking over) leaves them out, as the proxy leaves out keys whose holders died: the caller waits for
     * their next holders and asks again.
     */
    private void fetchThroughProxy(Collection<String> keys, Map<String, byte[]> values) {
        String uri = proxy();
        try {
            fetchFrom(uri, keys, values);
        } catch (FlightRuntimeException e) {
            if (!FlightFailures.unreachable(e)) {
                throw new PartitaException("cannot fetch results through the scheduler's proxy " + uri + ": "
                        + e.status().code() + " " + e.getMessage(), e);
            }
            LOG.log(System.Logger.Level.DEBUG, "the proxy {0} is unreachable ({1}); {2} keys not fetched this round",
                    uri, e.getMessage(), keys.size());
        }
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
                return FlightTls.client(allocator, u, tls);
            } catch (IllegalArgumentException e) {
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
