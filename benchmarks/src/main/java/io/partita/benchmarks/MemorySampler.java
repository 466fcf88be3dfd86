package io.partita.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Samples the memory of worker processes every 100 ms from this process: {@code VmRSS} from
 * {@code /proc/PID/status}, and (for Partita) the bytes of the worker's shared-memory segment files, which live in
 * tmpfs whether or not a process maps them. A worker's memory is its VmRSS minus the shared pages it maps
 * ({@code RssShmem}, counted in the segment files instead) plus its segment files. Keeps the peak of any worker,
 * and of the sum over workers.
 */
final class MemorySampler implements AutoCloseable {
    record Target(long pid, Path segmentDir) {}

    private final List<Target> targets;
    private final Thread thread;
    private volatile boolean stop;
    volatile long peakWorker;
    volatile long peakTotal;
    volatile long peakRss;
    volatile long peakAnon;
    volatile long peakFile;
    volatile int samples;

    MemorySampler(List<Target> targets) {
        this.targets = List.copyOf(targets);
        this.thread = Thread.ofPlatform().daemon().name("memory-sampler").start(this::loop);
    }

    private void loop() {
        while (!stop) {
            long total = 0;
            for (Target t : targets) {
                long[] rss = rss(t.pid());
                long memory = rss[0] - rss[1] + ClusterLaunch.treeBytes(t.segmentDir());
                peakWorker = Math.max(peakWorker, memory);
                peakRss = Math.max(peakRss, rss[0]);
                peakAnon = Math.max(peakAnon, rss[2]);
                peakFile = Math.max(peakFile, rss[3]);
                total += memory;
            }
            peakTotal = Math.max(peakTotal, total);
            samples++;
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** {VmRSS, RssShmem, RssAnon, RssFile} in bytes; zeros when the process is gone. */
    static long[] rss(long pid) {
        long[] out = new long[4];
        try {
            for (String line : Files.readAllLines(Path.of("/proc", "" + pid, "status"))) {
                if (line.startsWith("VmRSS:")) {
                    out[0] = kib(line);
                } else if (line.startsWith("RssShmem:")) {
                    out[1] = kib(line);
                } else if (line.startsWith("RssAnon:")) {
                    out[2] = kib(line);
                } else if (line.startsWith("RssFile:")) {
                    out[3] = kib(line);
                }
            }
        } catch (IOException gone) {
            // the process exited
        }
        return out;
    }

    private static long kib(String line) {
        return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
    }

    @Override
    public void close() throws InterruptedException {
        stop = true;
        thread.interrupt();
        thread.join(5_000);
    }
}
