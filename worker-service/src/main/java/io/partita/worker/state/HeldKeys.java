package io.partita.worker.state;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Which keys this worker holds and why: the one record of it. The object store keeps their bytes and sizes and is
 * told what to drop ({@link Instruction.Drop}); it is never asked what is held.
 *
 * <p>A key is held in its own right (a result computed here, scattered here, or acquired from a retiring worker:
 * kept until the scheduler frees it) or as a <em>copy</em> (fetched, or borrowed from a neighbour, for tasks here:
 * dropped when the last of them ends). Tasks here that use a key count as its references.
 */
final class HeldKeys {
    private final Set<String> held = new HashSet<>();
    private final Set<String> copies = new HashSet<>();
    private final Map<String, Integer> refs = new HashMap<>();

    boolean holds(String key) {
        return held.contains(key);
    }

    Set<String> inOwnRight() {
        Set<String> own = new HashSet<>(held);
        own.removeAll(copies);
        return own;
    }

    /** A result computed here (a copy stays a copy). */
    void hold(String key) {
        held.add(key);
    }

    /** Kept until the scheduler frees it (no longer a copy, if it was one). */
    void holdInOwnRight(String key) {
        held.add(key);
        copies.remove(key);
    }

    /** Fetched for the tasks here: dropped once none of them needs it. */
    void holdCopy(String key) {
        held.add(key);
        copies.add(key);
    }

    /** Freed by the scheduler while a task here still uses it: kept as a private copy until that task ends. */
    void keepAsCopy(String key) {
        copies.add(key);
    }

    boolean isCopy(String key) {
        return copies.contains(key);
    }

    void forget(String key) {
        held.remove(key);
        copies.remove(key);
    }

    /** A task here uses {@code key}. */
    void use(String key) {
        refs.merge(key, 1, Integer::sum);
    }

    /** A task here that used {@code key} ended; true when it was the last one. */
    boolean unuse(String key) {
        if (refs.merge(key, -1, Integer::sum) <= 0) {
            refs.remove(key);
            return true;
        }
        return false;
    }

    /** Whether a task here still uses {@code key}. */
    boolean inUse(String key) {
        return refs.containsKey(key);
    }
}
