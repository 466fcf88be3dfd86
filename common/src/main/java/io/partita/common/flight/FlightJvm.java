package io.partita.common.flight;

import io.netty.util.internal.PlatformDependent;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;

/**
 * What Arrow Flight needs from the JVM it runs in, checked once. On Java 24 and later Netty leaves
 * {@code sun.misc.Unsafe} alone unless the JVM allows it, and then Flight fails to read any message with a
 * ClassCastException deep inside Netty; its zero-copy write also needs {@code java.nio} opened to wrap raw memory.
 */
public final class FlightJvm {
    /** The flags a JVM using Partita's client needs (Partita's own processes get them from {@code bin/}). */
    public static final String REQUIRED_FLAGS = "--add-opens=java.base/java.nio=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow";

    /** Whether Flight's zero-copy write works here: Arrow can wrap its buffers' memory as ByteBuffers. */
    public static final boolean ZERO_COPY_WRITE = canWrapMemory();

    private FlightJvm() {}

    /** Throws, saying which flags to add, when Flight cannot read messages in this JVM. */
    public static void requireUsable() {
        if (!PlatformDependent.hasUnsafe()) {
            throw new IllegalStateException("this JVM cannot receive data over Arrow Flight: Netty may not use "
                    + "sun.misc.Unsafe here (" + PlatformDependent.getUnsafeUnavailabilityCause() + "); start it with "
                    + REQUIRED_FLAGS);
        }
    }

    private static boolean canWrapMemory() {
        try (BufferAllocator allocator = new RootAllocator(64); ArrowBuf buf = allocator.buffer(8)) {
            buf.nioBuffer(0, 8);
            return true;
        } catch (RuntimeException e) { // UnsupportedOperationException: "DirectByteBuffer.<init>(long, int) not available"
            return false;
        }
    }
}
