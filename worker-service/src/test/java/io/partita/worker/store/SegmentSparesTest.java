package io.partita.worker.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.partita.common.data.Partition;
import io.partita.worker.memory.MemoryPolicy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(60)
class SegmentSparesTest {
    private static final int ROWS = 3 << 20; // 24 MiB of longs: above SegmentSpares.MIN_BYTES

    @TempDir
    Path dir;

    private RootAllocator allocator;
    private ObjectStore store;
    private Path segments;

    @BeforeEach
    void open() {
        assumeTrue(Fallocate.available(), "fallocate(2) is not available here");
        allocator = new RootAllocator();
        segments = dir.resolve("shm/w1");
        store = new ObjectStore(allocator, segments, dir.resolve("spill"), new TransferStats(), 64L << 20);
    }

    @AfterEach
    void close() throws Exception {
        if (store != null) {
            store.close();
            allocator.close();
            try (Stream<Path> files = Files.walk(dir)) {
                assertThat(files.filter(Files::isRegularFile).toList()).as("files left behind, spares included").isEmpty();
            }
        }
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("waited 20 s for " + what).isLessThan(deadline);
            Thread.sleep(5);
        }
    }

    private List<Path> spareFiles() throws Exception {
        try (Stream<Path> files = Files.list(segments)) {
            return files.filter(f -> f.getFileName().toString().startsWith(".spare-")).toList();
        }
    }

    @Test
    void aBigSegmentLeavesASpareTheNextOneIsWrittenIntoAndTrimmedToItsSize() throws Exception {
        long first = store.putTable("t-1", TestTables.longs(allocator, 1, ROWS));
        await("a spare after the first big segment", () -> store.spareBytes() > 0);
        assertThat(store.spareBytes()).isEqualTo(SegmentSpares.capacityFor(first));
        assertThat(store.sharedMemoryBytes()).isEqualTo(store.segmentBytes() + store.spareBytes());
        Path spare = spareFiles().getFirst();
        Object inode = Files.getAttribute(spare, "unix:ino");
        assertThat(Files.size(spare)).as("a spare is empty: its pages are past its end").isZero();

        long second = store.putTable("t-2", TestTables.longs(allocator, 2, ROWS - 64));
        Path file = segments.resolve(ObjectStore.segmentFileName("t-2"));
        assertThat(Files.getAttribute(file, "unix:ino")).as("t-2 was written into the spare").isEqualTo(inode);
        assertThat(Files.size(file)).isEqualTo(second);
        try (Partition view = store.table("t-2")) {
            assertThat(view.rowCount()).isEqualTo(ROWS - 64);
            assertThat(TestTables.first(view)).isEqualTo(2);
        }
        await("a new spare for the next segment", () -> store.spareBytes() > 0);
    }

    @Test
    void aReleasedSegmentIsNeverReusedAndSmallSegmentsTakeNoSpare() throws Exception {
        store.putTable("t-1", TestTables.longs(allocator, 1, ROWS));
        Object released = Files.getAttribute(segments.resolve(ObjectStore.segmentFileName("t-1")), "unix:ino");
        try (Partition view = store.table("t-1")) { // a reader still maps it when it is released
            store.remove("t-1");
            await("a spare", () -> store.spareBytes() > 0);
            store.putTable("t-2", TestTables.longs(allocator, 2, ROWS));
            Path file = segments.resolve(ObjectStore.segmentFileName("t-2"));
            assertThat(Files.getAttribute(file, "unix:ino")).isNotEqualTo(released);
            assertThat(TestTables.first(view)).as("the released mapping still shows its own bytes").isEqualTo(1);
        }
        await("the spare after t-2 made", () -> !store.makingSpares());
        long spares = store.spareBytes();
        store.putTable("small", TestTables.longs(allocator, 3, 1000));
        assertThat(store.spareBytes()).isEqualTo(spares);
    }

    @Test
    void thePoolStaysWithinItsBound() throws Exception {
        // 64 MiB bound: sizes 24, 32, 40 MiB each ask for a spare; at most 64 MiB are kept
        for (int i = 0; i < 6; i++) {
            int rows = ROWS + (i % 3) * (1 << 20);
            store.putTable("t-" + i, TestTables.longs(allocator, i, rows));
            store.remove("t-" + i);
            assertThat(store.spareBytes()).isLessThanOrEqualTo(64L << 20);
            assertThat(spareFiles().size()).isLessThanOrEqualTo(SegmentSpares.MAX_FILES);
        }
        await("a spare", () -> store.spareBytes() > 0);
        assertThat(store.spareBytes()).isLessThanOrEqualTo(64L << 20);
        assertThat(spareFiles().size()).isLessThanOrEqualTo(SegmentSpares.MAX_FILES);
    }

    @Test
    void sparesGoBeforeAnyKeyIsSpilled() throws Exception {
        long size = store.putTable("t-1", TestTables.longs(allocator, 1, ROWS));
        await("a spare", () -> store.spareBytes() > 0);
        // a target that holds t-1 and a bit: storing t-2 must first drop the spare, then spill t-1
        store.limitMemory(new MemoryPolicy(size * 5 / 2 * 10 / 6, 0.6, 0.7, 0, 0), () -> 0);
        store.putTable("t-2", TestTables.longs(allocator, 2, ROWS));
        assertThat(store.spilledBytes()).as("the spare made room, no key was spilled").isZero();
    }

    @Test
    void noSpareIsMadeWhenTheMemoryLimitDoesNotAllowIt() throws Exception {
        AtomicInteger asked = new AtomicInteger();
        Path own = Files.createDirectories(dir.resolve("own"));
        try (SegmentSpares spares = new SegmentSpares(own, 64L << 20, bytes -> {
            asked.incrementAndGet();
            return false;
        })) {
            Path target = own.resolve("t.arrow");
            Path tmp = spares.take(target, 24L << 20);
            assertThat(tmp).exists().hasSize(0);
            Files.move(tmp, target);
            spares.trim(target, 0); // the write is over: now the spare is asked for
            await("the filler's question", () -> asked.get() > 0);
            assertThat(spares.bytes()).isZero();
            try (Stream<Path> files = Files.list(own)) {
                assertThat(files.toList()).containsExactly(target);
            }
            Files.delete(target);
        }
    }
}
