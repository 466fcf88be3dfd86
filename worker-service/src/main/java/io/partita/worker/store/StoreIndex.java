package io.partita.worker.store;

import io.partita.common.data.MappedSegment;
import io.partita.worker.memory.MemoryPolicy;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An {@link ObjectStore}'s keys: their entries, pins, least-recently-used order, bytes per tier and the bytes of
 * writes in progress; an entry leaving the map is released here (at once, or once its spill ends). Not thread-safe:
 * every call is made under the store's lock, so that one lock guards all of the store's state.
 */
final class StoreIndex {
    private final Releaser releaser;
    private final Map<String, StoreEntry> entries = new HashMap<>();
    private final Map<String, Integer> pins = new HashMap<>();
    private final TierBytes tierBytes = new TierBytes();
    private long tick;
    /** Bytes of writes that made room and are not stored yet (counted as process memory by later decisions). */
    private long reservedBytes;

    StoreIndex(Releaser releaser) {
        this.releaser = releaser;
    }

    /** {@code key}'s entry, or null; does not count as a use (see {@link #touch}). */
    StoreEntry get(String key) {
        return entries.get(key);
    }

    boolean contains(String key) {
        return entries.containsKey(key);
    }

    /** Marks {@code e} as the most recently used. */
    void touch(StoreEntry e) {
        e.lastUse = ++tick;
    }

    /** Stores {@code e} as the most recently used; an entry it replaces is released. */
    void insert(StoreEntry e) {
        touch(e);
        StoreEntry old = entries.put(e.key, e);
        account(e, +1);
        if (old != null) {
            account(old, -1);
            discard(old);
        }
    }

    /** Removes and releases {@code key}'s entry; returns whether it was held. */
    boolean remove(String key) {
        StoreEntry e = entries.remove(key);
        if (e == null) {
            return false;
        }
        account(e, -1);
        discard(e);
        return true;
    }

    /** Runs {@code change} (which may change the tier of {@code e}, a held entry) with the tier bytes kept right. */
    void retier(StoreEntry e, Runnable change) {
        account(e, -1);
        change.run();
        account(e, +1);
    }

    /** Drops and releases every entry and pin (the store is closing). */
    void clear() {
        List<StoreEntry> all = new ArrayList<>(entries.values());
        entries.clear();
        pins.clear();
        tierBytes.clear();
        all.forEach(this::discard);
    }

    void pin(String key) {
        pins.merge(key, 1, Integer::sum);
    }

    void unpin(String key) {
        pins.computeIfPresent(key, (k, n) -> n <= 1 ? null : n - 1);
    }

    /** Whether {@code e} may be spilled now: in memory (not borrowed, not spilled), not being spilled, not pinned. */
    boolean spillable(StoreEntry e) {
        return e.inMemory() && !e.spilling && !pins.containsKey(e.key);
    }

    /** Keys that may be spilled now ({@link #spillable}), least recently used first. */
    List<MemoryPolicy.Candidate> spillCandidates() {
        List<StoreEntry> list = new ArrayList<>();
        for (StoreEntry e : entries.values()) {
            if (spillable(e)) {
                list.add(e);
            }
        }
        list.sort(Comparator.comparingLong(e -> e.lastUse));
        return list.stream().map(StoreEntry::candidate).toList();
    }

    /**
     * The spill of {@code e} is over (done or failed); returns false when {@code e} was removed or replaced
     * meanwhile, and then releases it now (its release waited for the spill).
     */
    boolean spillEnded(StoreEntry e) {
        e.spilling = false;
        if (e.discarded) {
            dispose(e);
            return false;
        }
        return true;
    }

    Set<String> keys() {
        return Set.copyOf(entries.keySet());
    }

    int size() {
        return entries.size();
    }

    TierBytes tierBytes() {
        return tierBytes;
    }

    /** Counts {@code bytes} of a write that made room and is not stored yet (until {@link #unreserve}d). */
    void reserve(long bytes) {
        reservedBytes += bytes;
    }

    /** The write of {@code bytes} is stored or failed. */
    void unreserve(long bytes) {
        reservedBytes -= bytes;
    }

    long reservedBytes() {
        return reservedBytes;
    }

    private void account(StoreEntry e, int sign) {
        tierBytes.add(e.tier, sign * e.size);
    }

    /** An entry no longer in the map: dispose of it now, or once a spill in progress finishes. */
    private void discard(StoreEntry e) {
        e.discarded = true;
        if (!e.spilling) {
            dispose(e);
        }
    }

    /**
     * Frees the key's path at once (moved aside, so that the key can be stored again) and leaves the slow part,
     * unmapping and unlinking, to the {@link Releaser}.
     */
    private void dispose(StoreEntry e) {
        MappedSegment mapping = e.release();
        Path doomed = null;
        if (e.file != null && e.tier != Tier.BORROWED) {
            StoreEntry current = entries.get(e.key);
            if (current == null || !e.file.equals(current.file)) { // a replacement may have been written at the same path
                doomed = StoreFiles.moveAside(e.file);
            }
        }
        releaser.release(mapping, doomed);
    }
}
