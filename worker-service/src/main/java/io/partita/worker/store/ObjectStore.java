package io.partita.worker.store;

import java.util.Set;

/**
 * Where a worker keeps results: key to serialized value ({@link io.partita.common.codec.ValueCodec} format), with
 * per-key size accounting. Thread-safe: tasks write from the pool, Flight reads from gRPC threads.
 */
public interface ObjectStore extends AutoCloseable {
    /** The value, or null when the key is not held. */
    byte[] get(String key);

    void put(String key, byte[] value);

    /** Removes the key; returns whether it was held. */
    boolean remove(String key);

    boolean contains(String key);

    Set<String> keys();

    int size();

    /** Bytes held, summed over keys. */
    long bytes();

    @Override
    void close();
}
