package io.partita.common.data;

import java.util.concurrent.Callable;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;

/**
 * The allocator to build Arrow data with. On a worker, each running task gets a child allocator of the worker's,
 * so what it builds is accounted and checked for leaks; elsewhere (a client, a test) a process-wide root is used.
 */
public final class ArrowMemory {
    private static final ThreadLocal<BufferAllocator> CURRENT = new ThreadLocal<>();
    private static final class Default {
        static final BufferAllocator ROOT = new RootAllocator();
    }

    private ArrowMemory() {}

    /** The current task's allocator, or the process-wide root allocator outside a task. */
    public static BufferAllocator allocator() {
        BufferAllocator a = CURRENT.get();
        return a != null ? a : Default.ROOT;
    }

    /** Runs {@code body} with {@code allocator} as {@link #allocator()} on this thread; how workers run tasks. */
    public static <T> T withAllocator(BufferAllocator allocator, Callable<T> body) throws Exception {
        BufferAllocator previous = CURRENT.get();
        CURRENT.set(allocator);
        try {
            return body.call();
        } finally {
            if (previous == null) {
                CURRENT.remove();
            } else {
                CURRENT.set(previous);
            }
        }
    }
}
