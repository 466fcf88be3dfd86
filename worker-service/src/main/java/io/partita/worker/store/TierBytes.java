package io.partita.worker.store;

/** Bytes held per tier (borrowed segments are the neighbour's and count in none); guarded by the store's lock. */
final class TierBytes {
    private long heap;
    private long segment;
    private long spilled;

    /** Adds {@code delta} (negative to subtract) to {@code tier}'s bytes. */
    void add(Tier tier, long delta) {
        switch (tier) {
            case HEAP -> heap += delta;
            case SEGMENT -> segment += delta;
            case SPILLED -> spilled += delta;
            case BORROWED -> { }
        }
    }

    void clear() {
        heap = segment = spilled = 0;
    }

    long heap() {
        return heap;
    }

    long segment() {
        return segment;
    }

    long spilled() {
        return spilled;
    }

    long total() {
        return heap + segment + spilled;
    }
}
