package io.partita.worker.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.partita.common.codec.ValueCodec;
import io.partita.common.data.Partition;
import io.partita.worker.memory.MemoryPolicy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ObjectStoreTest {
    @TempDir
    Path dir;

    private RootAllocator allocator;
    private TransferStats stats;
    private ObjectStore store;
    private Path segments;
    private Path spill;

    @BeforeEach
    void open() {
        allocator = new RootAllocator();
        stats = new TransferStats();
        segments = dir.resolve("shm/w1");
        spill = dir.resolve("spill");
        store = new ObjectStore(allocator, segments, spill, stats);
    }

    @AfterEach
    void close() throws Exception {
        store.close();
        allocator.close(); // a view left open or a mapping not closed fails here
        try (Stream<Path> files = Files.walk(dir)) {
            assertThat(files.filter(Files::isRegularFile).toList()).as("files left behind").isEmpty();
        }
    }

    @Test
    void aTableIsWrittenAsASegmentAndReadAsAZeroCopyView() throws Exception {
        Partition table = TestTables.longs(allocator, 7, 1000);
        long size = store.putTable("t-1", table);

        Path file = segments.resolve(ObjectStore.segmentFileName("t-1"));
        assertThat(table.isClosed()).isTrue();
        assertThat(file).exists().hasSize(size);
        assertThat(store.isTable("t-1")).isTrue();
        assertThat(store.get("t-1")).isNull();
        assertThat(store.segmentBytes()).isEqualTo(size);
        assertThat(store.sizeOf("t-1")).isEqualTo(size);
        try (Partition view = store.table("t-1")) {
            assertThat(view.rowCount()).isEqualTo(1000);
            assertThat(TestTables.first(view)).isEqualTo(7);
            assertThat(TestTables.mappedFile(view)).isEqualTo(file.toString());
        }
    }

    @Test
    void removeUnlinksTheSegmentAndViewsHandedOutStayValid() throws Exception {
        store.putTable("t-1", TestTables.longs(allocator, 3, 10));
        Path file = segments.resolve(ObjectStore.segmentFileName("t-1"));
        try (Partition view = store.table("t-1")) {
            assertThat(store.remove("t-1")).isTrue();
            assertThat(file).doesNotExist();
            assertThat(store.contains("t-1")).isFalse();
            assertThat(store.segmentBytes()).isZero();
            assertThat(TestTables.first(view)).isEqualTo(3); // the pages stay mapped until the view closes
        }
        assertThat(store.remove("t-1")).isFalse();
    }

    @Test
    void spillingATableMovesItsFileAndReadsItBackByMapping() throws Exception {
        long size = store.putTable("t-1", TestTables.longs(allocator, 5, 100));
        Path shmFile = segments.resolve(ObjectStore.segmentFileName("t-1"));

        assertThat(store.spill("t-1")).isEqualTo(size);

        assertThat(shmFile).doesNotExist();
        Path spilled = spill.resolve(ObjectStore.segmentFileName("t-1"));
        assertThat(spilled).exists().hasSize(size);
        assertThat(store.segmentBytes()).isZero();
        assertThat(store.spilledBytes()).isEqualTo(size);
        assertThat(stats.snapshot().spillCount()).isEqualTo(1);
        try (Partition view = store.table("t-1")) {
            assertThat(TestTables.first(view)).isEqualTo(5);
            assertThat(TestTables.mappedFile(view)).isEqualTo(spilled.toString());
        }
        assertThat(stats.snapshot().unspillCount()).isEqualTo(1);
        assertThat(stats.snapshot().unspilledBytes()).isEqualTo(size);
        assertThat(store.spill("t-1")).as("already spilled").isZero();
        store.remove("t-1");
        assertThat(spilled).doesNotExist();
    }

    @Test
    void aSpilledValueIsReadBackOntoTheHeap() {
        byte[] value = ValueCodec.encode("hello");
        store.put("v-1", value);
        assertThat(store.heapBytes()).isEqualTo(value.length);

        assertThat(store.spill("v-1")).isEqualTo(value.length);
        assertThat(store.heapBytes()).isZero();
        assertThat(store.spilledBytes()).isEqualTo(value.length);
        try (Stream<Path> files = Files.list(spill)) {
            assertThat(files.toList()).hasSize(1);
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }

        assertThat(store.get("v-1")).isEqualTo(value);
        assertThat(store.heapBytes()).isEqualTo(value.length);
        assertThat(store.spilledBytes()).isZero();
        assertThat(stats.snapshot().unspillCount()).isEqualTo(1);
        // the spill and the read back are timed spans for the dashboard's task stream
        assertThat(stats.recentActivity(0)).extracting(a -> a.kind(), a -> a.bytes())
                .containsExactly(org.assertj.core.groups.Tuple.tuple("spill", (long) value.length),
                        org.assertj.core.groups.Tuple.tuple("unspill", (long) value.length));
        assertThat(stats.recentActivity(System.currentTimeMillis() + 60_000)).isEmpty();
    }

    @Test
    void candidatesAreLeastRecentlyUsedFirstAndExcludePinnedKeys() {
        store.put("a", new byte[10]);
        store.put("b", new byte[20]);
        store.putTable("c", TestTables.longs(allocator, 0, 10));
        store.get("a"); // a is now the most recently used

        assertThat(store.spillCandidates()).extracting(MemoryPolicy.Candidate::key).containsExactly("b", "c", "a");

        store.pin(List.of("b"));
        assertThat(store.spillCandidates()).extracting(MemoryPolicy.Candidate::key).containsExactly("c", "a");
        assertThat(store.spill("b")).as("in use").isZero();
        store.unpin(List.of("b"));
        assertThat(store.spill("b")).isEqualTo(20);
        assertThat(store.spillCandidates()).extracting(MemoryPolicy.Candidate::key).containsExactly("c", "a");
    }

    @Test
    void aBorrowedSegmentIsMappedInPlaceAndNeverDeletedOrCounted() throws Exception {
        Path neighbour = dir.resolve("shm/w2");
        try (RootAllocator other = new RootAllocator();
             ObjectStore holder = new ObjectStore(other, neighbour, dir.resolve("spill2"), new TransferStats())) {
            holder.putTable("t-1", TestTables.longs(other, 9, 10));
            Path file = neighbour.resolve(ObjectStore.segmentFileName("t-1"));

            assertThat(store.adoptSegment("t-1", file)).isEqualTo(Files.size(file));
            assertThat(store.bytes()).isZero();
            assertThat(store.spillCandidates()).isEmpty();
            try (Partition view = store.table("t-1")) {
                assertThat(TestTables.mappedFile(view)).isEqualTo(file.toString());
            }
            store.remove("t-1");
            assertThat(file).exists();
            assertThat(store.adoptSegment("gone", neighbour.resolve("nothing.arrow"))).isEqualTo(-1);
        }
    }

    @Test
    void replacingAKeyKeepsOneFileAndCorrectSizes() {
        store.putTable("t-1", TestTables.longs(allocator, 0, 10));
        long size = store.putTable("t-1", TestTables.longs(allocator, 0, 20));
        assertThat(store.segmentBytes()).isEqualTo(size);
        assertThat(segments.resolve(ObjectStore.segmentFileName("t-1"))).exists();
        store.put("t-1", new byte[3]);
        assertThat(store.segmentBytes()).isZero();
        assertThat(store.heapBytes()).isEqualTo(3);
        assertThat(segments.resolve(ObjectStore.segmentFileName("t-1"))).doesNotExist();
    }

    /** A policy whose target (0.6 of the limit) is {@code targetBytes}. */
    private static MemoryPolicy targetOf(long targetBytes) {
        return MemoryPolicy.defaults((long) Math.ceil(targetBytes / 0.6));
    }

    private boolean spilled(String key) {
        return !Files.exists(segments.resolve(ObjectStore.segmentFileName(key)))
                && Files.exists(spill.resolve(ObjectStore.segmentFileName(key)));
    }

    @Test
    void underAMemoryLimitPuttingATableSpillsOlderTablesFirst() throws Exception {
        long size = store.putTable("t-1", TestTables.longs(allocator, 1, 1000));
        java.util.concurrent.atomic.AtomicInteger reads = new java.util.concurrent.atomic.AtomicInteger();
        store.limitMemory(targetOf(size * 5 / 2), () -> {
            reads.incrementAndGet();
            return 0; // only the segments count here
        });
        store.putTable("t-2", TestTables.longs(allocator, 2, 1000)); // two fit under 2.5 segments
        assertThat(store.spilledBytes()).isZero();
        assertThat(reads).as("resident memory read once per put").hasValue(1);

        store.putTable("t-3", TestTables.longs(allocator, 3, 1000)); // three do not: the oldest goes first
        assertThat(spilled("t-1")).isTrue();
        assertThat(store.segmentBytes()).isEqualTo(2 * size);
        assertThat(store.spilledBytes()).isEqualTo(size);

        try (Partition view = store.table("t-2")) { // t-2 is used now: t-3 is the least recently used
            assertThat(TestTables.first(view)).isEqualTo(2);
        }
        store.putTable("t-4", TestTables.longs(allocator, 4, 1000));
        assertThat(spilled("t-3")).isTrue();
        assertThat(spilled("t-2")).isFalse();
        assertThat(reads).hasValue(3);

        try (Partition one = store.table("t-1"); Partition three = store.table("t-3")) { // spilled keys still read
            assertThat(TestTables.first(one)).isEqualTo(1);
            assertThat(TestTables.first(three)).isEqualTo(3);
            assertThat(one.rowCount()).isEqualTo(1000);
        }
        assertThat(stats.snapshot().spillCount()).isEqualTo(2);
    }

    @Test
    void pinnedKeysAreNeverSpilledToMakeRoom() throws Exception {
        store.putTable("t-1", TestTables.longs(allocator, 1, 1000));
        store.putTable("t-2", TestTables.longs(allocator, 2, 1000));
        store.pin(List.of("t-1"));
        store.limitMemory(targetOf(1), () -> 0); // nothing fits: everything unpinned goes
        store.putTable("t-3", TestTables.longs(allocator, 3, 1000));
        assertThat(spilled("t-1")).as("pinned").isFalse();
        assertThat(spilled("t-2")).isTrue();
        assertThat(spilled("t-3")).as("the new key is stored all the same").isFalse();
        store.unpin(List.of("t-1"));
        store.putTable("t-4", TestTables.longs(allocator, 4, 1000));
        assertThat(spilled("t-1")).isTrue();
        assertThat(spilled("t-3")).isTrue();
        try (Partition view = store.table("t-1")) {
            assertThat(TestTables.first(view)).isEqualTo(1);
        }
    }

    @Test
    void residentMemoryCountsAndLargeHeapValuesMakeRoomToo() throws Exception {
        long size = store.putTable("t-1", TestTables.longs(allocator, 1, 1000));
        byte[] big = new byte[(int) ObjectStore.MAKE_ROOM_MIN_VALUE_BYTES];
        big[7] = 42;
        store.limitMemory(targetOf(size + big.length), () -> 1000); // the process itself takes 1000 bytes
        store.put("small", ValueCodec.encode(5)); // under the threshold: never makes room
        assertThat(store.spilledBytes()).isZero();
        store.put("big", big); // size + 1000 + big is over the target
        assertThat(spilled("t-1")).isTrue();
        assertThat(store.get("big")[7]).isEqualTo((byte) 42);
        try (Partition view = store.table("t-1")) {
            assertThat(TestTables.first(view)).isEqualTo(1);
        }
    }

    @Test
    void withoutAMemoryLimitNothingIsSpilledToMakeRoom() throws Exception {
        store.limitMemory(MemoryPolicy.defaults(0), () -> { throw new AssertionError("not read without a limit"); });
        for (int i = 0; i < 4; i++) {
            store.putTable("t-" + i, TestTables.longs(allocator, i, 1000));
        }
        assertThat(store.spilledBytes()).isZero();
    }
}
