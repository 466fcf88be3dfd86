package io.partita.client;

import io.partita.common.codec.ValueCodec;
import io.partita.common.data.Partition;
import io.partita.common.protocol.WorkerAddress;
import java.lang.ref.Reference;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.arrow.memory.BufferAllocator;

/**
 * The values of finished futures: serialized values fetched in bulk through the {@link Gatherer} and decoded with
 * the caller's class loader, tables read one by one into the client's data allocator.
 */
final class ResultFetcher {
    /** How long a gather waits for values whose holders died to be computed again. */
    static final Duration REFETCH_TIMEOUT = Duration.ofSeconds(120);
    private static final Duration REFETCH_ROUND = Duration.ofSeconds(2);

    private final Gatherer gatherer;
    /** Where gathered tables are read into: they belong to the caller. */
    private final BufferAllocator data;
    /** Used when the calling thread has no context class loader. */
    private final ClassLoader defaultLoader;

    ResultFetcher(Gatherer gatherer, BufferAllocator data, ClassLoader defaultLoader) {
        this.gatherer = gatherer;
        this.data = data;
        this.defaultLoader = defaultLoader;
    }

    /** Waits for every future and returns their values in order (see {@link Client#gather}). */
    <R> List<R> gather(List<TaskFuture<R>> list) {
        try {
            for (TaskFuture<R> f : list) {
                f.keyState().done.join();
            }
            Map<String, KeyState> values = new LinkedHashMap<>();
            Map<String, KeyState> tables = new LinkedHashMap<>();
            for (TaskFuture<R> f : list) {
                KeyState s = f.keyState();
                checkFinished(s);
                (s.isTable() ? tables : values).put(s.key, s);
            }
            Map<String, byte[]> bytes = values.isEmpty() ? Map.of() : fetchValues(List.copyOf(values.values()));
            ClassLoader loader = loader();
            Map<String, Object> decoded = new HashMap<>();
            try {
                for (KeyState s : tables.values()) {
                    decoded.put(s.key, fetchTable(s));
                }
            } catch (RuntimeException e) {
                decoded.values().forEach(p -> ((Partition) p).close());
                throw e;
            }
            List<R> out = new ArrayList<>(list.size());
            for (TaskFuture<R> f : list) {
                String k = f.key();
                Object v;
                if (decoded.containsKey(k)) {
                    v = decoded.get(k);
                } else {
                    try {
                        v = decode(k, bytes.get(k), loader);
                    } catch (RuntimeException e) {
                        tables.keySet().forEach(t -> ((Partition) decoded.get(t)).close()); // not handed over
                        throw e;
                    }
                    decoded.put(k, v);
                }
                @SuppressWarnings("unchecked")
                R r = (R) v;
                out.add(r);
            }
            return out;
        } finally {
            Reference.reachabilityFence(list);
        }
    }

    private static void checkFinished(KeyState s) {
        switch (s.status()) {
            case FINISHED -> { }
            case CANCELLED -> throw new CancellationException("task " + s.key + " was cancelled");
            default -> throw new TaskFailedException(s.key, s.error());
        }
    }

    /**
     * Fetches the values of finished keys. A key no holder returned was lost with its worker: the scheduler computes
     * it again and reports its new holders (or its error), which this waits for, in rounds of at most
     * {@link #REFETCH_ROUND}, for at most {@link #REFETCH_TIMEOUT} in all.
     */
    private Map<String, byte[]> fetchValues(List<KeyState> states) {
        Map<String, byte[]> values = new HashMap<>();
        long deadline = System.nanoTime() + REFETCH_TIMEOUT.toNanos();
        List<KeyState> todo = states;
        while (true) {
            Map<KeyState, CompletableFuture<Void>> updates = new HashMap<>();
            Map<String, List<WorkerAddress>> holders = new LinkedHashMap<>();
            for (KeyState s : todo) {
                updates.put(s, s.nextUpdate()); // before fetching, so that an update during the fetch is not missed
                holders.put(s.key, s.holders());
            }
            values.putAll(gatherer.fetch(holders));
            List<KeyState> missing = todo.stream().filter(s -> !values.containsKey(s.key)).toList();
            if (missing.isEmpty()) {
                return values;
            }
            awaitUpdate(missing, missing.stream().map(updates::get).toList(), deadline);
            todo = missing;
        }
    }

    /** The table of a finished key, fetched again, like values, when its holders are gone. */
    private Partition fetchTable(KeyState s) {
        long deadline = System.nanoTime() + REFETCH_TIMEOUT.toNanos();
        while (true) {
            CompletableFuture<Void> update = s.nextUpdate();
            try {
                return gatherer.fetchTable(s.key, s.holders(), data);
            } catch (PartitaException e) {
                if (e.getMessage().startsWith("unauthenticated") || System.nanoTime() > deadline) {
                    throw e;
                }
            }
            awaitUpdate(List.of(s), List.of(update), deadline);
        }
    }

    /** Waits for the next update of the keys not fetched (at most one round); fails once the deadline is past. */
    private static void awaitUpdate(List<KeyState> missing, List<CompletableFuture<Void>> updates, long deadline) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
            throw new PartitaException("the value of " + missing.getFirst().key + " could not be fetched: no holder "
                    + "returned it, and it was not computed again within " + REFETCH_TIMEOUT.toSeconds() + " s");
        }
        try {
            CompletableFuture.allOf(updates.toArray(CompletableFuture[]::new))
                    .get(Math.min(left, REFETCH_ROUND.toNanos()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            // fetch again from the holders known now (a fetch may also have failed for a passing reason)
        } catch (ExecutionException e) {
            throw new PartitaException("unexpected: " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PartitaException("interrupted while waiting for " + missing.getFirst().key + " to be computed again", e);
        }
        missing.forEach(ResultFetcher::checkFinished);
    }

    private static Object decode(String key, byte[] bytes, ClassLoader loader) {
        try {
            return ValueCodec.decode(bytes, loader);
        } catch (RuntimeException e) {
            throw new PartitaException("the value of " + key + " cannot be read here: " + e.getMessage(), e);
        }
    }

    private ClassLoader loader() {
        ClassLoader tccl = Thread.currentThread().getContextClassLoader();
        return tccl != null ? tccl : defaultLoader;
    }
}
