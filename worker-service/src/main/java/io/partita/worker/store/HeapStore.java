package io.partita.worker.store;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/** The heap tier: values as byte arrays. */
public final class HeapStore implements ObjectStore {
    private final ConcurrentHashMap<String, byte[]> values = new ConcurrentHashMap<>();
    private final AtomicLong bytes = new AtomicLong();

    @Override
    public byte[] get(String key) {
        return values.get(key);
    }

    @Override
    public void put(String key, byte[] value) {
        byte[] old = values.put(key, value);
        bytes.addAndGet(value.length - (old == null ? 0 : old.length));
    }

    @Override
    public boolean remove(String key) {
        byte[] old = values.remove(key);
        if (old != null) {
            bytes.addAndGet(-old.length);
        }
        return old != null;
    }

    @Override
    public boolean contains(String key) {
        return values.containsKey(key);
    }

    @Override
    public Set<String> keys() {
        return Set.copyOf(values.keySet());
    }

    @Override
    public int size() {
        return values.size();
    }

    @Override
    public long bytes() {
        return bytes.get();
    }

    @Override
    public void close() {
        values.clear();
        bytes.set(0);
    }
}
