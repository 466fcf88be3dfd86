package io.partita.worker.transfer;

import io.partita.common.auth.ClusterToken;
import io.partita.common.flight.FlightTls;
import io.partita.common.tls.Tls;
import io.partita.common.data.Partition;
import io.partita.common.data.TableStreams;
import io.partita.common.flight.FetchTicket;
import io.partita.common.flight.FlightAuth;
import io.partita.common.flight.FlightFailures;
import io.partita.common.net.Causes;
import io.partita.common.net.Retry;
import io.partita.common.flight.KeyValueBatches;
import io.partita.common.flight.TableTicket;
import io.partita.common.protocol.WorkerAddress;
import io.partita.common.protocol.WorkerLoad.Activity;
import io.partita.worker.store.ObjectStore;
import io.partita.worker.store.TransferStats;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.arrow.flight.FlightClient;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.FlightStream;
import org.apache.arrow.flight.FlightStatusCode;
import org.apache.arrow.memory.BufferAllocator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fetches keys held by another worker into the local store; one Flight client per peer, reused.
 *
 * <p>How a key travels, in order:
 * <ol>
 *   <li>Same host ({@link WorkerAddress#hostId()} equals this worker's), for a table (or a key of unknown type):
 *       when the holder's segment file of the key exists ({@code segmentDir/}{@link ObjectStore#segmentFileName}), or else its spill file (same name in
 *       {@code spillDir}), it is mapped read-only in place (zero copy, counted as a segment transfer) and borrowed
 *       for the local tasks: not copied into this worker's folder, dropped when no local task needs it. A file that
 *       vanished (the holder freed it) falls through to Flight.</li>
 *   <li>Flight {@code DoGet(FetchTicket)} for all remaining keys not known to be tables, in one call: the holder
 *       answers serialized values only and skips its table keys (the scheduler names the dependencies it knows to be
 *       tables; a key of unknown type is asked for here first).</li>
 *   <li>For each key still missing, with {@link PeerTransfer#BULK} (the default) and a holder that serves HTTP: the
 *       bulk path ({@link SegmentPuller}): the holder's segment file, as it is, becomes this worker's segment.</li>
 *   <li>Flight {@code DoGet(TableTicket)}, one per key still missing: a table is read into this worker's allocator
 *       and stored as this worker's own segment. NOT_FOUND means the holder does not have the key.</li>
 * </ol>
 */
public final class PeerFetcher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PeerFetcher.class);

    private final BufferAllocator allocator;
    private final ObjectStore store;
    private final ClusterToken token;
    private final Tls tls;
    private final String hostId;
    private final TransferStats stats;
    private final SegmentPuller bulk;
    private final ConcurrentHashMap<String, FlightClient> clients = new ConcurrentHashMap<>();
    /** DoGet of tables straight into segments ({@link DirectTableGet}), per holder; off with partita.flight.direct-get=false. */
    private final ConcurrentHashMap<String, DirectTableGet> direct = new ConcurrentHashMap<>();
    private static final boolean DIRECT_GET = !"false".equals(System.getProperty("partita.flight.direct-get"));
    /** Holders (by HTTP URI) whose bulk path just failed, and until when (System.nanoTime) Flight is used instead. */
    private final ConcurrentHashMap<String, Long> bulkOffUntil = new ConcurrentHashMap<>();
    static final long BULK_RETRY_AFTER_NANOS = 60_000_000_000L;

    /** What one fetch brought: keys now stored, and an error when some were not (null if all arrived). */
    public record Result(Set<String> received, Set<String> missing, String error) {}

    /**
     * @param hostId   this worker's host id: holders with the same one share its memory
     * @param transfer how tables come from other hosts
     */
    public PeerFetcher(BufferAllocator parent, ObjectStore store, ClusterToken token, String hostId, PeerTransfer transfer) {
        this(parent, store, token, hostId, transfer, Tls.off());
    }

    /** @param tls verifies holders that serve TLS ({@code grpc+tls}, {@code https}), and presents this worker's certificate */
    public PeerFetcher(BufferAllocator parent, ObjectStore store, ClusterToken token, String hostId, PeerTransfer transfer, Tls tls) {
        this.allocator = parent.newChildAllocator("peer-fetch", 0, Long.MAX_VALUE);
        this.store = store;
        this.token = token;
        this.hostId = hostId;
        this.tls = tls;
        this.stats = store.stats();
        this.bulk = transfer == PeerTransfer.BULK ? new SegmentPuller(store, token, tls) : null;
    }

    /**
     * Fetches {@code keys} from {@code holder} for local tasks; {@code tables} are those that are tables (the
     * scheduler knows every finished key's type): only they are looked for among a same-host holder's files, and
     * they are not asked for among the serialized values. Blocks, never throws.
     */
    public Result fetch(WorkerAddress holder, List<String> keys, Set<String> tables) {
        return fetch(holder, keys, tables, false);
    }

    /**
     * Fetches {@code keys} (of unknown types) from {@code holder} as this worker's own copies: a same-host table is
     * copied into this worker's folder instead of borrowed (it must outlive the holder, which is retiring). Blocks,
     * never throws.
     */
    public Result acquire(WorkerAddress holder, List<String> keys) {
        return fetch(holder, keys, null, true);
    }

    /** @param tables the keys known to be tables, or null when the types are not known (then any may be one) */
    private Result fetch(WorkerAddress holder, List<String> keys, Set<String> tables, boolean ownCopy) {
        long startMillis = System.currentTimeMillis();
        long t0 = System.nanoTime();
        Result result = fetchTimed(holder, keys, tables, ownCopy);
        long bytes = 0;
        for (String key : result.received()) {
            bytes += Math.max(0, store.sizeOf(key));
        }
        stats.activity(Activity.TRANSFER, startMillis, (System.nanoTime() - t0) / 1000, bytes, result.received().size(),
                holder.workerId());
        return result;
    }

    private Result fetchTimed(WorkerAddress holder, List<String> keys, Set<String> tables, boolean ownCopy) {
        Set<String> received = new HashSet<>();
        List<String> rest = new ArrayList<>(keys);
        if (holder.hostId().equals(hostId)) {
            for (String key : keys) {
                if (tables != null && !tables.contains(key)) {
                    continue; // a value: a neighbour's files hold only tables (a spilled value is not mapped)
                }
                long size = fromNeighbour(holder, key, ownCopy);
                if (size >= 0) {
                    stats.segmentIn(size);
                    received.add(key);
                    rest.remove(key);
                }
            }
        }
        String error = null;
        if (!rest.isEmpty()) {
            long started = System.nanoTime();
            long[] bytes = {0};
            try {
                Retry.call("fetching " + rest.size() + " keys from " + holder.workerId() + " at " + holder.flightUri(),
                        FLIGHT_RETRY, LOG, () -> {
                            overFlight(holder, rest, tables, received, bytes);
                            return null;
                        });
                stats.fetchTimed(bytes[0], System.nanoTime() - started);
            } catch (Exception e) {
                error = "Flight DoGet from " + holder.workerId() + " at " + holder.flightUri() + " failed: "
                        + Causes.describe(e);
            }
        }
        Set<String> missing = new HashSet<>(keys);
        missing.removeAll(received);
        if (!missing.isEmpty() && error == null) {
            error = "worker " + holder.workerId() + " does not hold it";
        }
        return new Result(received, missing, error);
    }

    /** Retries of a Flight fetch whose connection failed, before the holder's copy is reported as unreachable. */
    private static final Retry.Policy FLIGHT_RETRY = new Retry.Policy(3, java.time.Duration.ofMillis(100),
            java.time.Duration.ofSeconds(1), java.time.Duration.ofSeconds(10));

    /**
     * One attempt at the keys of {@code rest} not yet {@code received}: a transport failure becomes an IOException
     * (retried, with a new client), any other status a {@link Retry.Refused}.
     */
    private void overFlight(WorkerAddress holder, List<String> rest, Set<String> tables, Set<String> received, long[] bytes)
            throws IOException {
        FlightClient client = clients.computeIfAbsent(holder.flightUri(), this::connect);
        try {
            List<String> values = rest.stream().filter(k -> !received.contains(k))
                    .filter(k -> tables == null || !tables.contains(k)).toList();
            if (!values.isEmpty()) {
                KeyValueBatches.read(client.getStream(new FetchTicket(values).toTicket(), FlightAuth.callOptions(token)),
                        (key, value) -> {
                            store.put(key, value);
                            stats.flightIn(value.length);
                            bytes[0] += value.length;
                            received.add(key);
                        });
            }
            for (String key : rest) {
                long size = received.contains(key) ? -1 : fetchTable(holder, client, key);
                if (size >= 0) {
                    bytes[0] += size;
                    received.add(key);
                }
            }
        } catch (FlightRuntimeException e) {
            closeQuietly(clients.remove(holder.flightUri()));
            FlightStatusCode code = e.status().code();
            boolean transport = FlightFailures.unreachable(e) || code == FlightStatusCode.INTERNAL;
            IOException failure = transport ? new IOException(e.getMessage(), e) : new Retry.Refused(e.getMessage());
            if (!transport) {
                failure.initCause(e);
            }
            throw failure;
        } catch (IOException | RuntimeException e) {
            closeQuietly(clients.remove(holder.flightUri()));
            throw e;
        } catch (Exception e) {
            closeQuietly(clients.remove(holder.flightUri()));
            throw new IOException(e);
        }
    }

    /**
     * Maps the same-host holder's file of table {@code key} in place (or copies it, with {@code ownCopy}): its
     * segment, or else its spill file (a spilled table is the same IPC file on disk, read through the page cache).
     * Returns the size, or -1 when neither can be used (a value, not held, or gone meanwhile): then Flight.
     */
    private long fromNeighbour(WorkerAddress holder, String key, boolean ownCopy) {
        for (String dir : List.of(holder.segmentDir(), holder.spillDir())) {
            if (!dir.isEmpty()) {
                Path file = Path.of(dir).resolve(ObjectStore.segmentFileName(key));
                if (Files.isRegularFile(file)) {
                    long size;
                    try {
                        size = ownCopy ? store.copySegment(key, file) : store.adoptSegment(key, file);
                    } catch (UncheckedIOException e) { // the copy failed (the file went away?): try Flight
                        size = -1;
                    }
                    if (size >= 0) {
                        return size;
                    }
                }
            }
        }
        return -1;
    }

    /**
     * Stores table {@code key} as this worker's segment, over the bulk path when it is on and works, else with Flight
     * DoGet(TableTicket); returns its size, or -1 when the holder lacks it.
     */
    private long fetchTable(WorkerAddress holder, FlightClient client, String key) throws Exception {
        if (bulk != null && !holder.httpUri().isEmpty() && !bulkSuspended(holder.httpUri())) {
            try {
                long size = bulk.pull(holder.httpUri(), key);
                if (size >= 0) {
                    stats.bulkIn(size);
                    return size;
                }
            } catch (SegmentPuller.HolderUnreachable e) {
                // e.g. a firewall between workers that lets Flight through: do not pay a timeout on every table
                bulkOffUntil.put(holder.httpUri(), System.nanoTime() + BULK_RETRY_AFTER_NANOS);
                LOG.warn("bulk transfer of {} from {} failed ({}); fetching it and this worker's other tables over "
                        + "Flight for the next {} s", key, holder.workerId(), e.getMessage(), BULK_RETRY_AFTER_NANOS / 1_000_000_000L);
            } catch (IOException e) {
                LOG.info("bulk transfer of {} from {} at {} failed ({}); fetching it over Flight", key, holder.workerId(),
                        holder.httpUri(), Causes.describe(e));
            }
        }
        if (DIRECT_GET) {
            try {
                long size = direct.computeIfAbsent(holder.flightUri(), uri -> new DirectTableGet(uri, token, tls)).fetch(store, key);
                if (size >= 0) {
                    stats.flightIn(size);
                }
                return size;
            } catch (IOException | RuntimeException e) { // Flight's reader then, which reports a real failure its own way
                LOG.debug("direct DoGet of {} from {} failed ({}); reading it with Flight's reader", key, holder.workerId(), e.toString());
            }
        }
        try (FlightStream stream = client.getStream(new TableTicket(key).toTicket(), FlightAuth.callOptions(token))) {
            long bytes = FlightTables.store(store, key, stream, allocator);
            stats.flightIn(bytes);
            return bytes;
        } catch (FlightRuntimeException e) {
            if (e.status().code() == FlightStatusCode.NOT_FOUND) {
                return -1;
            }
            throw e;
        }
    }

    /** Whether the bulk path to the holder at {@code httpUri} failed recently, so that Flight is used instead. */
    boolean bulkSuspended(String httpUri) {
        Long until = bulkOffUntil.get(httpUri);
        if (until == null) {
            return false;
        }
        if (System.nanoTime() - until < 0) {
            return true;
        }
        bulkOffUntil.remove(httpUri, until);
        return false;
    }

    private FlightClient connect(String uri) {
        return FlightTls.client(allocator, uri, tls);
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
        if (bulk != null) {
            bulk.close();
        }
        clients.values().forEach(PeerFetcher::closeQuietly);
        clients.clear();
        direct.values().forEach(DirectTableGet::close);
        direct.clear();
        allocator.close();
    }
}
