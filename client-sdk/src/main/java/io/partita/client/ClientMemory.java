package io.partita.client;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;

/**
 * All of the client's Arrow memory: one root, with {@link #data()} for the user's tables (built to scatter, or
 * gathered) and children for Flight's own buffers.
 */
final class ClientMemory {
    /** The client's logger: these messages are the client's. */
    private static final System.Logger LOG = System.getLogger(Client.class.getName());

    private final RootAllocator root = new RootAllocator();
    private final BufferAllocator data = root.newChildAllocator("partita-client-data", 0, Long.MAX_VALUE);

    BufferAllocator data() {
        return data;
    }

    /** A child allocator for Flight's own buffers; its user closes it. */
    BufferAllocator newFlightAllocator() {
        return root.newChildAllocator("partita-client-flight", 0, Long.MAX_VALUE);
    }

    /** Bytes allocated now (user tables and Flight buffers). */
    long allocatedBytes() {
        return root.getAllocatedMemory();
    }

    /** Closes the allocators; memory a user still holds is reported, not thrown, and left to the GC. */
    void close() {
        long held = data.getAllocatedMemory();
        if (held > 0) {
            LOG.log(System.Logger.Level.WARNING, "Partita client closed while {0} bytes of Arrow memory are still"
                    + " allocated in client.allocator(): Partitions gathered or built there were not closed. Close"
                    + " each Partition you gather or build; this memory is freed only when they are closed.", held);
            return; // closing would throw; the buffers stay valid until their owners close them
        }
        try {
            data.close();
            root.close();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "Partita client closed with {0} bytes of Arrow memory outstanding: {1}",
                    root.getAllocatedMemory(), e.getMessage());
        }
    }
}
