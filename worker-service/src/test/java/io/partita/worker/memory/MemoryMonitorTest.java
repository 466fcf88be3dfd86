package io.partita.worker.memory;

import static org.assertj.core.api.Assertions.assertThat;

import io.partita.worker.store.ObjectStore;
import io.partita.worker.store.TransferStats;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MemoryMonitorTest {
    @TempDir
    Path dir;

    private RootAllocator allocator;
    private ObjectStore store;
    private final AtomicLong resident = new AtomicLong();
    private final List<Boolean> pauses = new ArrayList<>();
    private final AtomicInteger terminations = new AtomicInteger();

    @BeforeEach
    void open() {
        allocator = new RootAllocator();
        store = new ObjectStore(allocator, dir.resolve("shm"), dir.resolve("spill"), new TransferStats());
    }

    @AfterEach
    void close() {
        store.close();
        allocator.close();
    }

    private MemoryMonitor monitor(long limit) {
        return new MemoryMonitor(store, MemoryPolicy.defaults(limit), resident::get, pauses::add, terminations::incrementAndGet);
    }

    @Test
    void spillsOldestKeysOverTheTarget() {
        for (int i = 0; i < 10; i++) {
            store.put("k-" + i, new byte[100]);
        }
        resident.set(1_000); // the values are on the heap: in the resident memory too
        MemoryMonitor monitor = monitor(2_000); // target 1200 of managed 1000: nothing

        monitor.tick();
        assertThat(store.spilledBytes()).isZero();

        store.put("k-10", new byte[300]); // managed 1300
        monitor.tick();
        assertThat(store.spilledBytes()).isEqualTo(100);
        assertThat(store.contains("k-0")).isTrue();
        assertThat(store.spillCandidates()).extracting(MemoryPolicy.Candidate::key).doesNotContain("k-0");
        assertThat(store.stats().snapshot().spillCount()).isEqualTo(1);
        assertThat(monitor.memoryByTier().spilled()).isEqualTo(100);
        assertThat(monitor.memoryByTier().limit()).isEqualTo(2_000);
    }

    @Test
    void spareSegmentFilesCountAsMemoryAndGoBeforeAnyKeyIsSpilled() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(store.sparesEnabled(), "no spare segment files here (fallocate)");
        store.putTable("t-1", io.partita.worker.store.TestTables.longs(allocator, 1, 3 << 20)); // 24 MiB: leaves a spare
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (store.spareBytes() == 0) {
            assertThat(System.nanoTime()).as("a spare within 20 s (fallocate available?)").isLessThan(deadline);
            Thread.sleep(5);
        }
        long segment = store.segmentBytes();
        assertThat(store.sharedMemoryBytes()).isEqualTo(segment + store.spareBytes());
        // 60 MiB: the segment alone is under the target (36 MiB), segment + spare over the spill fraction (42 MiB)
        MemoryMonitor monitor = monitor(60L << 20);
        monitor.tick();
        assertThat(store.spareBytes()).as("the spare went").isZero();
        assertThat(store.spilledBytes()).as("and no key was spilled").isZero();
        assertThat(store.segmentBytes()).isEqualTo(segment);
    }

    @Test
    void pausesAndResumesAndTerminates() {
        MemoryMonitor monitor = monitor(1_000);
        resident.set(850);
        monitor.tick();
        assertThat(pauses).containsExactly(true);
        assertThat(monitor.paused()).isTrue();
        monitor.tick();
        assertThat(pauses).containsExactly(true); // told once per change

        resident.set(500);
        monitor.tick();
        assertThat(pauses).containsExactly(true, false);

        resident.set(960);
        monitor.tick();
        assertThat(terminations).hasValue(1);
        monitor.tick();
        assertThat(terminations).hasValue(1);
    }

    @Test
    void theTableEnginesMemoryIsATierOfItsOwnTakenFromUnmanagedAndItsSpillCountsAsSpilled() {
        MemoryMonitor monitor = monitor(10_000);
        store.put("k", new byte[100]);
        resident.set(1_000);
        monitor.tick();
        assertThat(monitor.memoryByTier().unmanaged()).isEqualTo(1_000 - store.heapBytes());
        monitor.tableEngine(() -> 600, () -> 250);
        var tiers = monitor.memoryByTier();
        assertThat(tiers.tableEngine()).isEqualTo(600);
        assertThat(tiers.unmanaged()).isEqualTo(1_000 - store.heapBytes() - 600);
        assertThat(tiers.spilled()).isEqualTo(store.spilledBytes() + 250);
        assertThat(tiers.heap() + tiers.segments() + tiers.tableEngine() + tiers.unmanaged()).isEqualTo(1_000);
        // sampled at another moment than the resident memory: never more than what the resident memory leaves
        monitor.tableEngine(() -> 5_000, () -> 0);
        assertThat(monitor.memoryByTier().tableEngine()).isEqualTo(1_000 - store.heapBytes());
        assertThat(monitor.memoryByTier().unmanaged()).isZero();
    }

    @Test
    void readsThisProcess() {
        assertThat(MemoryMonitor.privateResidentBytes()).isPositive();
    }
}
