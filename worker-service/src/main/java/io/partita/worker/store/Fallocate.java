package io.partita.worker.store;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;
import java.util.Optional;

/**
 * {@code fallocate(2)} with {@code FALLOC_FL_KEEP_SIZE} through the foreign function API (the JDK has no call for
 * it): gives a file memory pages (on tmpfs: allocated and zeroed now) without changing its size, so that a later
 * write into them is only a copy. Linux only; {@link #available} is false elsewhere or when the C library cannot be
 * linked.
 */
final class Fallocate {
    private static final int O_WRONLY = 1;
    private static final int O_CLOEXEC = 02000000;
    private static final int FALLOC_FL_KEEP_SIZE = 1;
    private static final Handles HANDLES = Handles.link().orElse(null);

    private Fallocate() {}

    private record Handles(MethodHandle open, MethodHandle fallocate, MethodHandle close) {
        static Optional<Handles> link() {
            try {
                if (!System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).contains("linux")) {
                    return Optional.empty();
                }
                Linker linker = Linker.nativeLinker();
                var lookup = linker.defaultLookup();
                return Optional.of(new Handles(
                        linker.downcallHandle(lookup.find("open").orElseThrow(), FunctionDescriptor.of(
                                ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT)),
                        linker.downcallHandle(lookup.find("fallocate").orElseThrow(), FunctionDescriptor.of(
                                ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG)),
                        linker.downcallHandle(lookup.find("close").orElseThrow(), FunctionDescriptor.of(
                                ValueLayout.JAVA_INT, ValueLayout.JAVA_INT))));
            } catch (RuntimeException | Error e) { // no native access, no such symbol
                return Optional.empty();
            }
        }
    }

    static boolean available() {
        return HANDLES != null;
    }

    /**
     * Allocates {@code bytes} of pages for the existing {@code file} from offset 0, keeping its size; false when the
     * call is not available or fails (such as EOPNOTSUPP on a file system without it, or ENOSPC).
     */
    static boolean keepSize(Path file, long bytes) {
        if (HANDLES == null) {
            return false;
        }
        try (Arena arena = Arena.ofConfined()) {
            int fd = (int) HANDLES.open().invokeExact(arena.allocateFrom(file.toString()), O_WRONLY | O_CLOEXEC);
            if (fd < 0) {
                return false;
            }
            try {
                return (int) HANDLES.fallocate().invokeExact(fd, FALLOC_FL_KEEP_SIZE, 0L, bytes) == 0;
            } finally {
                int ignored = (int) HANDLES.close().invokeExact(fd);
            }
        } catch (Throwable e) {
            return false;
        }
    }
}
