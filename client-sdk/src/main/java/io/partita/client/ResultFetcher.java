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
import java.util.concurrent.CancellationException;
import org.apache.arrow.memory.BufferAllocator;

/**
 * The values of finished futures: serialized values fetched in bulk through the {@link Gatherer} and decoded with
 * the caller's class loader, tables read one by one into the client's data allocator.
 */
final class ResultFetcher {
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
            Map<String, List<WorkerAddress>> holders = new LinkedHashMap<>();
            Map<String, List<WorkerAddress>> tables = new LinkedHashMap<>();
            for (TaskFuture<R> f : list) {
                KeyState s = f.keyState();
                switch (s.status()) {
                    case FINISHED -> (s.isTable() ? tables : holders).put(s.key, s.holders());
                    case CANCELLED -> throw new CancellationException("task " + s.key + " was cancelled");
                    default -> throw new TaskFailedException(s.key, s.error());
                }
            }
            Map<String, byte[]> values = holders.isEmpty() ? Map.of() : gatherer.fetch(holders);
            ClassLoader loader = loader();
            Map<String, Object> decoded = new HashMap<>();
            try {
                for (var e : tables.entrySet()) {
                    decoded.put(e.getKey(), gatherer.fetchTable(e.getKey(), e.getValue(), data));
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
                        v = decode(k, values.get(k), loader);
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
