package io.partita.worker.memory;

import java.util.List;
import java.util.function.LongSupplier;

/**
 * The part of the object store the {@link MemoryMonitor} reads and acts on. The store implements it, so that memory
 * management depends on no store class and the store depends on this package only for its policy.
 */
public interface SpillableStore {
    /** Makes room synchronously before each write under {@code policy}, with the same resident-memory reading. */
    void limitMemory(MemoryPolicy policy, LongSupplier residentBytes);

    long heapBytes();

    long segmentBytes();

    long spilledBytes();

    /** Shared memory the store holds (its segments and spare segment files): counted on top of resident memory. */
    long sharedMemoryBytes();

    /** Keys that may be spilled now, least recently used first. */
    List<MemoryPolicy.Candidate> spillCandidates();

    /** Frees memory held ahead for new segments; returns the bytes freed. Comes before spilling any key. */
    long dropSpares();

    /** Moves {@code key} to disk; returns the bytes moved, 0 when it could not be spilled now. */
    long spill(String key);
}
