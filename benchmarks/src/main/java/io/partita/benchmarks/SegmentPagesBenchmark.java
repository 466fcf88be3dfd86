package io.partita.benchmarks;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What a bulk-path receiver pays for the pages of a new segment file, one variant at a time, interleaved rounds:
 * {@code pwrite} of {@code --size-mib} from a reused 1 MiB buffer (as {@code SegmentPuller} does) into
 *
 * <ul>
 *   <li>fresh: a new tmpfs file (the kernel allocates and zeroes each 4 KiB page on the first write);</li>
 *   <li>fallocate+write: {@code fallocate(KEEP_SIZE)} of the whole file first, timed with the write;</li>
 *   <li>spare (write only): the same file fallocated beforehand, only the write timed (a pool of files whose pages
 *       exist, filled off the critical path);</li>
 *   <li>recycled: a file that already held the same size of data (its pages exist; only the write timed);</li>
 *   <li>ahead: a second thread fallocates 8 MiB chunks ahead of the writer (pre-faulting that runs ahead of the
 *       socket);</li>
 *   <li>populate: a writable mapping with {@code madvise(MADV_POPULATE_WRITE)} then the write into the file.</li>
 * </ul>
 *
 * <p>Run: {@code java -cp benchmarks/target/classes --enable-native-access=ALL-UNNAMED
 * io.partita.benchmarks.SegmentPagesBenchmark [dir] [size-mib] [rounds]} (default /dev/shm, 256, 9). Prints the
 * median and min-max per variant, and the release (unlink) time of a fresh file.
 */
public final class SegmentPagesBenchmark {
    private static final int BUFFER = 1 << 20;
    private static final int KEEP_SIZE = 1; // FALLOC_FL_KEEP_SIZE
    private static final int O_RDWR = 2;
    private static final int O_CREAT = 0100;
    private static final int MADV_POPULATE_WRITE = 23;
    private static final Linker LINKER = Linker.nativeLinker();
    private static final MethodHandle OPEN = fn("open", FunctionDescriptor.of(ValueLayout.JAVA_INT,
            ValueLayout.ADDRESS, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
    private static final MethodHandle CLOSE = fn("close", FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
    private static final MethodHandle FALLOCATE = fn("fallocate", FunctionDescriptor.of(ValueLayout.JAVA_INT,
            ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG));
    private static final MethodHandle MADVISE = fn("madvise", FunctionDescriptor.of(ValueLayout.JAVA_INT,
            ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT));

    private SegmentPagesBenchmark() {}

    private static MethodHandle fn(String name, FunctionDescriptor d) {
        return LINKER.downcallHandle(LINKER.defaultLookup().find(name).orElseThrow(), d);
    }

    public static void main(String[] args) throws Exception {
        Path dir = Files.createTempDirectory(Path.of(args.length > 0 ? args[0] : "/dev/shm"), "partita-pages-");
        long size = (args.length > 1 ? Long.parseLong(args[1]) : 256) << 20;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 9;
        ByteBuffer data = ByteBuffer.allocateDirect(BUFFER);
        for (int i = 0; i < BUFFER; i++) {
            data.put(i, (byte) i);
        }
        String[] names = {"fresh", "fallocate+write", "spare (write only)", "recycled", "ahead (fallocate thread)",
                "populate (madvise)", "release (unlink)"};
        List<List<Double>> times = new ArrayList<>();
        for (String ignored : names) {
            times.add(new ArrayList<>());
        }
        try {
            for (int round = -1; round < rounds; round++) { // round -1 warms up
                double[] t = new double[names.length];
                Path f = dir.resolve("fresh");
                long t0 = System.nanoTime();
                write(f, size, data);
                t[0] = ms(t0);
                t0 = System.nanoTime();
                Files.delete(f);
                t[6] = ms(t0);

                Path g = dir.resolve("falloc");
                t0 = System.nanoTime();
                fallocate(g, 0, size);
                write(g, size, data);
                t[1] = ms(t0);
                Files.delete(g);

                Path s = dir.resolve("spare");
                fallocate(s, 0, size);
                t0 = System.nanoTime();
                write(s, size, data);
                t[2] = ms(t0);
                // recycled: s now holds data; truncate-free reuse
                t0 = System.nanoTime();
                write(s, size, data);
                t[3] = ms(t0);
                Files.delete(s);

                Path a = dir.resolve("ahead");
                t0 = System.nanoTime();
                writeWithAhead(a, size, data);
                t[4] = ms(t0);
                Files.delete(a);

                Path p = dir.resolve("populate");
                t0 = System.nanoTime();
                populate(p, size);
                write(p, size, data);
                t[5] = ms(t0);
                Files.delete(p);
                if (round >= 0) {
                    for (int i = 0; i < t.length; i++) {
                        times.get(i).add(t[i]);
                    }
                }
            }
        } finally {
            try (var files = Files.list(dir)) {
                for (Path left : files.toList()) {
                    Files.deleteIfExists(left);
                }
            }
            Files.delete(dir);
        }
        System.out.printf(Locale.ROOT, "%d MiB into %s, %d rounds (median, min-max ms; GB/s of the median)%n",
                size >> 20, dir.getParent(), rounds);
        for (int i = 0; i < names.length; i++) {
            double[] v = times.get(i).stream().mapToDouble(Double::doubleValue).sorted().toArray();
            double med = v[v.length / 2];
            System.out.printf(Locale.ROOT, "  %-26s %7.1f ms  (%5.1f-%5.1f)  %5.2f GB/s%n", names[i], med, v[0],
                    v[v.length - 1], size / med / 1e6);
        }
    }

    private static double ms(long t0) {
        return (System.nanoTime() - t0) / 1e6;
    }

    private static void write(Path file, long size, ByteBuffer data) throws IOException {
        try (FileChannel out = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            for (long pos = 0; pos < size; pos += BUFFER) {
                data.clear();
                while (data.hasRemaining()) {
                    out.write(data, pos + data.position());
                }
            }
        }
    }

    private static void fallocate(Path file, long offset, long length) {
        try (Arena arena = Arena.ofConfined()) {
            int fd = (int) OPEN.invokeExact(arena.allocateFrom(file.toString()), O_RDWR | O_CREAT, 0600);
            if (fd < 0) {
                throw new IOException("open " + file);
            }
            try {
                int rc = (int) FALLOCATE.invokeExact(fd, KEEP_SIZE, offset, length);
                if (rc != 0) {
                    throw new IOException("fallocate " + file);
                }
            } finally {
                int ignored = (int) CLOSE.invokeExact(fd);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }

    /** The writer pwrites; a second thread fallocates 8 MiB chunks ahead of it. */
    private static void writeWithAhead(Path file, long size, ByteBuffer data) throws Exception {
        long chunk = 8 << 20;
        AtomicLong allocated = new AtomicLong();
        Files.createFile(file);
        Thread ahead = Thread.ofPlatform().start(() -> {
            for (long pos = 0; pos < size; pos += chunk) {
                fallocate(file, pos, Math.min(chunk, size - pos));
                allocated.set(pos + chunk);
            }
        });
        write(file, size, data);
        ahead.join();
    }

    private static void populate(Path file, long size) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
             Arena arena = Arena.ofConfined()) {
            ch.truncate(0);
            // a writable mapping needs the file's size; KEEP_SIZE pages would be beyond it, so grow it, then shrink back
            try (var raf = new java.io.RandomAccessFile(file.toFile(), "rw")) {
                raf.setLength(size);
            }
            MemorySegment m = ch.map(FileChannel.MapMode.READ_WRITE, 0, size, arena);
            int rc = (int) MADVISE.invokeExact(m, size, MADV_POPULATE_WRITE);
            if (rc != 0) {
                throw new IOException("madvise(MADV_POPULATE_WRITE) failed");
            }
        } catch (IOException e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }
}
