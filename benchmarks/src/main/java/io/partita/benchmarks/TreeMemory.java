package io.partita.benchmarks;

import java.nio.file.Path;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * Samples, every 100 ms, the memory of whole process trees: the sum over the roots and all their descendants of
 * VmRSS minus the shared pages they map (RssShmem), plus the bytes of files in {@code shmDirs} (Partita's segments,
 * which live in tmpfs whether mapped or not). Keeps the peak.
 */
final class TreeMemory implements AutoCloseable {
    private final Supplier<List<Long>> roots;
    private final List<Path> shmDirs;
    private final Thread thread;
    private volatile boolean stop;
    private volatile long peak;

    TreeMemory(Supplier<List<Long>> roots, List<Path> shmDirs) {
        this.roots = roots;
        this.shmDirs = List.copyOf(shmDirs);
        this.thread = Thread.ofPlatform().daemon().name("tree-memory").start(this::loop);
    }

    private void loop() {
        while (!stop) {
            long total = shmDirs.stream().mapToLong(ClusterLaunch::treeBytes).sum();
            for (long pid : roots.get()) {
                total += Stream.concat(Stream.of(pid), ProcessHandle.of(pid).stream().flatMap(ProcessHandle::descendants)
                                .map(ProcessHandle::pid))
                        .distinct().mapToLong(p -> {
                            long[] rss = MemorySampler.rss(p);
                            return rss[0] - rss[1];
                        }).sum();
            }
            peak = Math.max(peak, total);
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    long peak() {
        return peak;
    }

    @Override
    public void close() throws InterruptedException {
        stop = true;
        thread.interrupt();
        thread.join();
    }
}
