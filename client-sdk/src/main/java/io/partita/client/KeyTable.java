package io.partita.client;

import java.util.Collection;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/** The keys this client references, each with its reference count (one per future). */
final class KeyTable {
    private final ConcurrentHashMap<String, KeyState> states = new ConcurrentHashMap<>();

    /** Adds one reference to {@code key}, creating its state; returns it. */
    KeyState acquire(String key, List<String> artifacts) {
        return states.compute(key, (k, s) -> {
            KeyState st = s != null ? s : new KeyState(k, artifacts);
            st.refs++;
            return st;
        });
    }

    /** Drops one reference; the state goes when none is left. */
    void release(String key) {
        states.computeIfPresent(key, (k, s) -> --s.refs <= 0 ? null : s);
    }

    KeyState get(String key) {
        return states.get(key);
    }

    int size() {
        return states.size();
    }

    Collection<KeyState> all() {
        return states.values();
    }

    void clear() {
        states.clear();
    }
}
