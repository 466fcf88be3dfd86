package io.partita.scheduler.flight;

import io.partita.common.auth.ClusterToken;
import io.partita.common.data.Partition;
import io.partita.common.data.TableStreams;
import io.partita.common.flight.FetchTicket;
import io.partita.common.flight.FlightAuth;
import io.partita.common.flight.FlightFailures;
import io.partita.common.flight.FlightTickets;
import io.partita.common.flight.FlightTls;
import io.partita.common.flight.KeyValueBatches;
import io.partita.common.flight.TableTicket;
import io.partita.common.protocol.WorkerAddress;
import io.partita.common.tls.Tls;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.apache.arrow.flight.CallStatus;
import org.apache.arrow.flight.FlightClient;
import org.apache.arrow.flight.FlightProducer.ServerStreamListener;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.FlightServer;
import org.apache.arrow.flight.NoOpFlightProducer;
import org.apache.arrow.flight.Ticket;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.util.AutoCloseables;

/**
 * The scheduler's Flight proxy, for clients that cannot reach the workers: DoGet(FetchTicket) finds the holders of
 * the keys, fetches the values from their Flight servers and streams them back; DoGet(TableTicket) reads the table
 * from a holder into the proxy's allocator, streams it back and frees it.
 */
public final class FlightProxy implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(FlightProxy.class.getName());
    private final RootAllocator root = new RootAllocator();
    private final BufferAllocator allocator = root.newChildAllocator("flight-proxy", 0, Long.MAX_VALUE);
    private final Map<String, FlightClient> clients = new ConcurrentHashMap<>();
    private final ClusterToken token;
    private final Tls tls;
    private final FlightServer server;

    /**
     * @param tls     the scheduler's TLS: the proxy's own server, and its calls to the workers' Flight servers
     * @param holders asks the state (on its event loop) where keys are held
     */
    public FlightProxy(String host, int port, ClusterToken token, Tls tls,
                Function<List<String>, CompletableFuture<Map<String, List<WorkerAddress>>>> holders) throws IOException {
        this.token = token;
        this.tls = tls;
        server = FlightTls.server(allocator, host, port, new NoOpFlightProducer() {
                    @Override
                    public void getStream(CallContext context, Ticket ticket, ServerStreamListener listener) {
                        try {
                            switch (FlightTickets.decode(ticket)) {
                                case TableTicket table -> streamTable(table, holders, listener);
                                case FetchTicket fetch -> {
                                    Map<String, List<WorkerAddress>> where = holders.apply(fetch.keys()).get(30, TimeUnit.SECONDS);
                                    Map<String, byte[]> values = fetch(fetch.keys(), where);
                                    KeyValueBatches.write(allocator, values.entrySet().iterator(), listener);
                                }
                                default -> throw new IllegalStateException("unexpected ticket");
                            }
                        } catch (FlightRuntimeException e) {
                            listener.error(e);
                        } catch (Exception e) {
                            listener.error(CallStatus.INTERNAL.withDescription("proxy fetch failed: " + e.getMessage())
                                    .withCause(e).toRuntimeException());
                        }
                    }
                }, tls)
                .headerAuthenticator(FlightAuth.authenticator(token))
                .build()
                .start();
    }

    public int port() {
        return server.getPort();
    }

    /** Reads the table from its holders in turn (the first that serves it) and streams it to {@code listener}. */
    private void streamTable(TableTicket table, Function<List<String>, CompletableFuture<Map<String, List<WorkerAddress>>>> holders,
                             ServerStreamListener listener) throws Exception {
        List<WorkerAddress> where = holders.apply(List.of(table.key())).get(30, TimeUnit.SECONDS).get(table.key());
        if (where == null || where.isEmpty()) {
            throw CallStatus.NOT_FOUND.withDescription("no worker holds " + table.key()
                    + " (it is not in memory: not finished, released or lost)").toRuntimeException();
        }
        FlightRuntimeException last = null;
        for (WorkerAddress holder : where) {
            Partition p;
            try {
                p = TableStreams.read(client(holder.flightUri()).getStream(table.toTicket(), FlightAuth.callOptions(token)), allocator);
            } catch (FlightRuntimeException e) {
                last = e;
                continue;
            }
            try (p) {
                TableStreams.write(p, allocator, listener);
            }
            return;
        }
        throw CallStatus.UNAVAILABLE.withDescription("no holder of " + table.key() + " served it; last: "
                + last.status().code() + " " + last.getMessage()).withCause(last).toRuntimeException();
    }

    private FlightClient client(String uri) {
        return clients.computeIfAbsent(uri, u -> FlightTls.client(allocator, u, tls));
    }

    /**
     * Fetches each key from its holders, one DoGet per holder and round: keys of a holder that cannot be reached (a
     * worker that died before the state heard of it) are asked of their next holder, and left out when none is left,
     * like keys no longer in memory, so that the client waits for them to be computed again instead of failing.
     */
    private Map<String, byte[]> fetch(List<String> keys, Map<String, List<WorkerAddress>> where) throws Exception {
        Map<String, byte[]> values = new LinkedHashMap<>();
        Set<String> unreachable = new HashSet<>();
        List<String> todo = keys;
        while (!todo.isEmpty()) { // bounded: each round with work marks one more holder unreachable or ends
            Map<String, List<String>> byHolder = new LinkedHashMap<>();
            for (String key : todo) {
                where.getOrDefault(key, List.of()).stream().map(WorkerAddress::flightUri)
                        .filter(u -> !unreachable.contains(u)).findFirst()
                        .ifPresent(u -> byHolder.computeIfAbsent(u, x -> new ArrayList<>()).add(key));
            }
            List<String> again = new ArrayList<>();
            for (Map.Entry<String, List<String>> e : byHolder.entrySet()) {
                try {
                    KeyValueBatches.read(client(e.getKey()).getStream(new FetchTicket(e.getValue()).toTicket(),
                            FlightAuth.callOptions(token)), values::put);
                } catch (FlightRuntimeException failure) {
                    if (!FlightFailures.unreachable(failure)) {
                        throw failure;
                    }
                    LOG.log(System.Logger.Level.DEBUG, "holder {0} unreachable ({1}); trying the next holders of {2} keys",
                            e.getKey(), failure.getMessage(), e.getValue().size());
                    unreachable.add(e.getKey());
                    e.getValue().stream().filter(k -> !values.containsKey(k)).forEach(again::add);
                }
            }
            todo = again;
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
