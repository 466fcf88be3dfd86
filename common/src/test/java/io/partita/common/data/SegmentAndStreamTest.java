package io.partita.common.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.math.BigDecimal;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.arrow.flight.FlightClient;
import org.apache.arrow.flight.FlightDescriptor;
import org.apache.arrow.flight.FlightServer;
import org.apache.arrow.flight.FlightStream;
import org.apache.arrow.flight.Location;
import org.apache.arrow.flight.NoOpFlightProducer;
import org.apache.arrow.flight.PutResult;
import org.apache.arrow.flight.Ticket;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.DateDayVector;
import org.apache.arrow.vector.DecimalVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.TimeStampMicroTZVector;
import org.apache.arrow.vector.VarBinaryVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.complex.StructVector;
import org.apache.arrow.vector.complex.impl.UnionListWriter;
import org.apache.arrow.vector.types.DateUnit;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.arrow.vector.util.ValueVectorUtility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SegmentAndStreamTest {
    static final Schema MIXED = new Schema(List.of(
            Field.nullable("i32", new ArrowType.Int(32, true)),
            Field.nullable("i64", new ArrowType.Int(64, true)),
            Field.nullable("f64", new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE)),
            Field.nullable("s", ArrowType.Utf8.INSTANCE),
            Field.nullable("bin", ArrowType.Binary.INSTANCE),
            Field.nullable("b", ArrowType.Bool.INSTANCE),
            Field.nullable("d", new ArrowType.Date(DateUnit.DAY)),
            Field.nullable("ts", new ArrowType.Timestamp(TimeUnit.MICROSECOND, "UTC")),
            Field.nullable("dec", new ArrowType.Decimal(20, 4, 128)),
            new Field("ints", FieldType.nullable(ArrowType.List.INSTANCE),
                    List.of(Field.nullable("item", new ArrowType.Int(32, true)))),
            new Field("st", FieldType.nullable(ArrowType.Struct.INSTANCE), List.of(
                    Field.nullable("a", new ArrowType.Int(32, true)),
                    Field.nullable("t", ArrowType.Utf8.INSTANCE)))));

    @TempDir
    Path dir;
    RootAllocator root;
    final List<BufferAllocator> children = new ArrayList<>();

    @BeforeEach
    void setUp() {
        root = new RootAllocator();
    }

    @AfterEach
    void tearDown() throws Exception {
        // children in reverse order of creation; close() throws on outstanding memory, failing the test
        for (int i = children.size() - 1; i >= 0; i--) {
            BufferAllocator a = children.get(i);
            assertThat(a.getAllocatedMemory()).as("leak in " + a.getName()).isZero();
            a.close();
        }
        assertThat(root.getAllocatedMemory()).isZero();
        root.close();
        try (var files = Files.list(dir)) {
            assertThat(files.toList()).as("files left behind").isEmpty();
        }
    }

    BufferAllocator child(String name) {
        BufferAllocator a = root.newChildAllocator(name, 0, Long.MAX_VALUE);
        children.add(a);
        return a;
    }

    /** Three batches of mixed types, every column with nulls, plus one batch of zero rows. */
    static Partition mixed(BufferAllocator allocator) {
        List<VectorSchemaRoot> batches = new ArrayList<>();
        int[] sizes = {100, 0, 37, 1000};
        int base = 0;
        for (int rows : sizes) {
            batches.add(mixedBatch(allocator, base, rows));
            base += rows;
        }
        return Partition.of(batches);
    }

    static VectorSchemaRoot mixedBatch(BufferAllocator allocator, int base, int rows) {
        VectorSchemaRoot r = VectorSchemaRoot.create(MIXED, allocator);
        r.allocateNew();
        IntVector i32 = (IntVector) r.getVector("i32");
        BigIntVector i64 = (BigIntVector) r.getVector("i64");
        Float8Vector f64 = (Float8Vector) r.getVector("f64");
        VarCharVector s = (VarCharVector) r.getVector("s");
        VarBinaryVector bin = (VarBinaryVector) r.getVector("bin");
        BitVector b = (BitVector) r.getVector("b");
        DateDayVector d = (DateDayVector) r.getVector("d");
        TimeStampMicroTZVector ts = (TimeStampMicroTZVector) r.getVector("ts");
        DecimalVector dec = (DecimalVector) r.getVector("dec");
        ListVector ints = (ListVector) r.getVector("ints");
        StructVector st = (StructVector) r.getVector("st");
        IntVector stA = st.getChild("a", IntVector.class);
        VarCharVector stT = st.getChild("t", VarCharVector.class);
        UnionListWriter lw = ints.getWriter();
        for (int j = 0; j < rows; j++) {
            int n = base + j;
            if (n % 7 == 3) i32.setNull(j); else i32.setSafe(j, n * 31 - 5000);
            if (n % 5 == 1) i64.setNull(j); else i64.setSafe(j, (long) n * 1_000_000_007L - (1L << 40));
            if (n % 6 == 2) f64.setNull(j); else f64.setSafe(j, n / 3.0 - 17.25);
            if (n % 4 == 0) s.setNull(j); else s.setSafe(j, ("é-" + n + "-" + "x".repeat(n % 13)).getBytes(StandardCharsets.UTF_8));
            if (n % 9 == 4) bin.setNull(j); else bin.setSafe(j, new byte[] {(byte) n, 0, (byte) (n >> 8), -1});
            if (n % 3 == 0) b.setNull(j); else b.setSafe(j, n % 2);
            if (n % 8 == 5) d.setNull(j); else d.setSafe(j, 19_000 + n);
            if (n % 10 == 7) ts.setNull(j); else ts.setSafe(j, 1_700_000_000_000_000L + n * 1_234_567L);
            if (n % 11 == 6) dec.setNull(j); else dec.setSafe(j, new BigDecimal(n * 12345L - 99999).movePointLeft(4));
            if (n % 6 == 5) {
                ints.setNull(j);
            } else {
                lw.setPosition(j);
                lw.startList();
                for (int k = 0; k < n % 4; k++) {
                    lw.integer().writeInt(n + k);
                }
                lw.endList();
            }
            if (n % 7 == 6) {
                st.setNull(j);
            } else {
                st.setIndexDefined(j);
                if (n % 2 == 0) stA.setNull(j); else stA.setSafe(j, -n);
                stT.setSafe(j, ("t" + n).getBytes(StandardCharsets.UTF_8));
            }
        }
        r.setRowCount(rows);
        return r;
    }

    static void assertSameTable(Partition actual, Partition expected) {
        assertThat(actual.schema()).isEqualTo(expected.schema());
        assertThat(actual.batches()).hasSameSizeAs(expected.batches());
        for (int i = 0; i < expected.batches().size(); i++) {
            VectorSchemaRoot a = actual.batches().get(i);
            VectorSchemaRoot e = expected.batches().get(i);
            ValueVectorUtility.validateFull(a);
            assertThat(a.getRowCount()).isEqualTo(e.getRowCount());
            // VectorSchemaRoot.equals compares schema and every value (TSV would print byte[] identities)
            assertThat(a.equals(e)).as("batch %d equal; actual:%n%s", i, a.contentToTSVString()).isTrue();
        }
    }

    @Test
    void mixedTableRoundTripsThroughMappedSegmentAndFileRead() throws Exception {
        BufferAllocator data = child("data");
        BufferAllocator mapped = child("mapped");
        BufferAllocator copied = child("copied");
        Path file = dir.resolve("mixed.arrows");
        try (Partition p = mixed(data)) {
            long size = SegmentFiles.write(p, file);
            assertThat(size).isEqualTo(Files.size(file));
            try (MappedSegment seg = MappedSegment.map(file, mapped);
                 Partition view = seg.partition();
                 Partition view2 = seg.partition()) {
                assertThat(seg.size()).isEqualTo(size);
                assertThat(seg.file()).isEqualTo(file);
                assertSameTable(view, p);
                assertSameTable(view2, p);
                assertThat(mapped.getAllocatedMemory()).as("only the one foreign allocation").isEqualTo(size);
            }
            try (Partition read = SegmentFiles.read(file, copied)) {
                assertSameTable(read, p);
                assertThat(copied.getAllocatedMemory()).isPositive();
            }
            // rewriting replaces the file atomically and leaves no temp file behind
            SegmentFiles.write(p, file);
        } finally {
            Files.deleteIfExists(file);
        }
    }

    @Test
    void emptyPartitionRoundTripsThroughFiles() throws Exception {
        BufferAllocator mapped = child("mapped");
        Path file = dir.resolve("empty.arrows");
        try (Partition p = Partition.empty(MIXED)) {
            SegmentFiles.write(p, file);
            try (MappedSegment seg = MappedSegment.map(file, mapped); Partition view = seg.partition()) {
                assertThat(view.schema()).isEqualTo(MIXED);
                assertThat(view.batches()).isEmpty();
            }
            try (Partition read = SegmentFiles.read(file, mapped)) {
                assertThat(read.schema()).isEqualTo(MIXED);
                assertThat(read.batches()).isEmpty();
            }
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /** A Flight server that stores what is put and serves it back: DoPut under a path, DoGet with that path's bytes. */
    static final class StoreProducer extends NoOpFlightProducer implements AutoCloseable {
        final BufferAllocator allocator;
        final Map<String, Partition> stored = new ConcurrentHashMap<>();
        volatile long maxBatchBytes = TableStreams.MAX_BATCH_BYTES;

        StoreProducer(BufferAllocator allocator) {
            this.allocator = allocator;
        }

        @Override
        public void getStream(CallContext context, Ticket ticket, ServerStreamListener listener) {
            Partition p = stored.get(new String(ticket.getBytes(), StandardCharsets.UTF_8));
            TableStreams.write(p, allocator, listener, maxBatchBytes);
        }

        @Override
        public Runnable acceptPut(CallContext context, FlightStream flightStream, StreamListener<PutResult> ackStream) {
            return () -> {
                try {
                    String key = flightStream.getDescriptor().getPath().getFirst();
                    Partition p = TableStreams.read(flightStream, allocator);
                    Partition old = stored.put(key, p);
                    if (old != null) {
                        old.close();
                    }
                    ackStream.onCompleted();
                } catch (Exception e) {
                    ackStream.onError(e);
                }
            };
        }

        @Override
        public void close() {
            stored.values().forEach(Partition::close);
        }
    }

    @Test
    void mixedAndEmptyTablesRoundTripOverFlight() throws Exception {
        BufferAllocator data = child("data");
        BufferAllocator serverAlloc = child("server");
        BufferAllocator clientAlloc = child("client");
        BufferAllocator received = child("received");
        try (StoreProducer producer = new StoreProducer(serverAlloc)) {
            FlightServer server = FlightServer.builder(serverAlloc, Location.forGrpcInsecure("127.0.0.1", 0), producer).build();
            try (server; Partition p = mixed(data); Partition empty = Partition.empty(MIXED)) {
                server.start();
                try (FlightClient client = FlightClient.builder(clientAlloc,
                        Location.forGrpcInsecure("127.0.0.1", server.getPort())).build()) {
                    long sent = TableStreams.put(client, FlightDescriptor.path("mixed"), p, clientAlloc);
                    assertThat(sent).isEqualTo(p.bufferBytes());
                    assertThat(p.isClosed()).isFalse();
                    assertSameTable(producer.stored.get("mixed"), p);

                    assertThat(TableStreams.put(client, FlightDescriptor.path("empty"), empty, clientAlloc)).isZero();
                    assertThat(producer.stored.get("empty").schema()).isEqualTo(MIXED);
                    assertThat(producer.stored.get("empty").batches()).isEmpty();

                    try (Partition got = TableStreams.read(client.getStream(new Ticket("mixed".getBytes(StandardCharsets.UTF_8))), received)) {
                        assertSameTable(got, p);
                        assertThat(received.getAllocatedMemory()).as("transferred into the given allocator").isPositive();
                    }
                    try (Partition got = TableStreams.read(client.getStream(new Ticket("empty".getBytes(StandardCharsets.UTF_8))), received)) {
                        assertThat(got.schema()).isEqualTo(MIXED);
                        assertThat(got.batches()).isEmpty();
                    }
                    // a mapped view can be served straight from the mapping
                    Path file = dir.resolve("served.arrows");
                    SegmentFiles.write(p, file);
                    try (MappedSegment seg = MappedSegment.map(file, serverAlloc); Partition view = seg.partition()) {
                        Files.delete(file);
                        producer.stored.put("view", view);
                        try (Partition got = TableStreams.read(client.getStream(new Ticket("view".getBytes(StandardCharsets.UTF_8))), received)) {
                            assertSameTable(got, p);
                        }
                        producer.stored.remove("view");
                    }
                }
            }
        }
    }

    @Test
    void aFlightStreamIsWrittenIntoASegmentBatchByBatchWithTheSizeTheSenderAnnounced() throws Exception {
        BufferAllocator data = child("data");
        BufferAllocator serverAlloc = child("server");
        BufferAllocator clientAlloc = child("client");
        BufferAllocator mapped = child("mapped");
        try (StoreProducer producer = new StoreProducer(serverAlloc)) {
            FlightServer server = FlightServer.builder(serverAlloc, Location.forGrpcInsecure("127.0.0.1", 0), producer).build();
            try (server; Partition p = mixed(data)) {
                server.start();
                producer.stored.put("mixed", p);
                Path file = dir.resolve("streamed.arrows");
                Path tmp = Files.createFile(dir.resolve(".streamed.tmp"));
                try (FlightClient client = FlightClient.builder(clientAlloc,
                        Location.forGrpcInsecure("127.0.0.1", server.getPort())).build();
                     FlightStream stream = client.getStream(new Ticket("mixed".getBytes(StandardCharsets.UTF_8)))) {
                    boolean loaded = stream.next();
                    assertThat(TableStreams.sizeHint(stream)).isEqualTo(p.bufferBytes());
                    long size = TableStreams.writeSegment(stream, loaded, tmp, file);
                    assertThat(tmp).doesNotExist();
                    assertThat(file).hasSize(size);
                }
                producer.stored.remove("mixed");
                // the same bytes as writing the whole table at once
                Path whole = dir.resolve("whole.arrows");
                SegmentFiles.write(p, whole);
                assertThat(Files.readAllBytes(file)).isEqualTo(Files.readAllBytes(whole));
                try (MappedSegment seg = MappedSegment.map(file, mapped); Partition view = seg.partition()) {
                    assertSameTable(view, p);
                } finally {
                    Files.delete(file);
                    Files.delete(whole);
                }
            }
        }
    }

    @Test
    void bigBatchesAreSentAsZeroCopySlices() throws Exception {
        BufferAllocator data = child("data");
        BufferAllocator serverAlloc = child("server");
        BufferAllocator clientAlloc = child("client");
        BufferAllocator received = child("received");
        try (StoreProducer producer = new StoreProducer(serverAlloc); Partition p = mixed(data)) {
            // slices share the batch's buffers: a fixed-width column's values and validity, a string column's data
            VectorSchemaRoot big = p.batches().get(3);
            int step = Batches.sliceRows(big, 8 << 10);
            assertThat(step).isPositive().isLessThan(big.getRowCount()).isEqualTo(step / 64 * 64);
            assertThat(Batches.sliceRows(big, Long.MAX_VALUE)).isEqualTo(big.getRowCount());
            try (VectorSchemaRoot slice = big.slice(step, step)) {
                BigIntVector src = (BigIntVector) big.getVector("i64");
                BigIntVector sl = (BigIntVector) slice.getVector("i64");
                assertThat(sl.getDataBuffer().memoryAddress()).isEqualTo(src.getDataBuffer().memoryAddress() + (long) step * 8);
                assertThat(sl.getValidityBuffer().memoryAddress()).isEqualTo(src.getValidityBuffer().memoryAddress() + step / 8);
                VarCharVector s = (VarCharVector) big.getVector("s");
                long at = ((VarCharVector) slice.getVector("s")).getDataBuffer().memoryAddress();
                assertThat(at).isBetween(s.getDataBuffer().memoryAddress(), s.getDataBuffer().memoryAddress() + s.getDataBuffer().capacity());
            }

            producer.maxBatchBytes = 8 << 10;
            producer.stored.put("mixed", p);
            FlightServer server = FlightServer.builder(serverAlloc, Location.forGrpcInsecure("127.0.0.1", 0), producer).build();
            try (server) {
                server.start();
                try (FlightClient client = FlightClient.builder(clientAlloc,
                        Location.forGrpcInsecure("127.0.0.1", server.getPort())).build();
                     Partition got = TableStreams.read(client.getStream(new Ticket("mixed".getBytes(StandardCharsets.UTF_8))), received)) {
                    assertSlicesOf(got, p);
                }
                // the same when a client puts it (DoPut, the SDK's scatter)
                try (FlightClient client = FlightClient.builder(clientAlloc,
                        Location.forGrpcInsecure("127.0.0.1", server.getPort())).build()) {
                    TableStreams.put(client, FlightDescriptor.path("put"), p, clientAlloc, 8 << 10);
                    assertSlicesOf(producer.stored.get("put"), p);
                }
            } finally {
                producer.stored.remove("mixed");
            }
        }
    }

    /** {@code got} holds {@code p}'s rows cut into more, smaller batches, in order, value for value. */
    private static void assertSlicesOf(Partition got, Partition p) {
        assertThat(got.batches().size()).isGreaterThan(p.batches().size());
        assertThat(got.rowCount()).isEqualTo(p.rowCount());
        // the received batches are the sent ones cut in order: compare each with that slice of the original
        int b = 0;
        int offset = 0;
        for (VectorSchemaRoot g : got.batches()) {
            while (g.getRowCount() > 0 && offset == p.batches().get(b).getRowCount()) {
                b++;
                offset = 0;
            }
            ValueVectorUtility.validateFull(g);
            try (VectorSchemaRoot e = p.batches().get(b).slice(offset, g.getRowCount())) {
                // value by value (VectorSchemaRoot.equals also compares the slices' internal layout)
                for (int c = 0; c < g.getFieldVectors().size(); c++) {
                    for (int r = 0; r < g.getRowCount(); r++) {
                        assertThat(java.util.Objects.deepEquals(g.getVector(c).getObject(r), e.getVector(c).getObject(r)))
                                .as("column %s, row %d of batch %d", g.getVector(c).getName(), offset + r, b).isTrue();
                    }
                }
            }
            offset += g.getRowCount();
        }
    }

    @Test
    void mappedViewDoesNotCopyAndSeesChangesToTheFile() throws Exception {
        final int rows = 8 << 20; // 8 Mi longs = 64 MiB of data
        final int marked = 5_000_001;
        final long mark = 0x5EEDCAFEF00DBEEFL;
        final long replacement = -0x0123456789ABCDEFL;
        BufferAllocator data = child("data");
        Path file = dir.resolve("big.arrows");
        long size;
        try {
            try (BigIntVector v = new BigIntVector("v", data)) {
                v.allocateNew(rows);
                for (int i = 0; i < rows; i++) {
                    v.set(i, i == marked ? mark : i);
                }
                v.setValueCount(rows);
                try (Partition p = Partition.of(VectorSchemaRoot.of(v))) {
                    // VectorSchemaRoot.of takes the vector; p closes it (v.close() after is harmless)
                    size = SegmentFiles.write(p, file);
                }
            }
            assertThat(data.getAllocatedMemory()).isZero();
            assertThat(size).isGreaterThan(64L << 20);

            BufferAllocator mapped = child("mapped");
            try (MappedSegment seg = MappedSegment.map(file, mapped)) {
                // wrapForeignAllocation charges the allocator the mapping's size, once
                assertThat(mapped.getAllocatedMemory()).isEqualTo(size);
                try (Partition view = seg.partition()) {
                    BigIntVector v = (BigIntVector) view.batches().getFirst().getVector(0);
                    assertThat(v.getValueCount()).isEqualTo(rows);
                    assertThat(v.get(marked)).isEqualTo(mark);
                    assertThat(v.get(rows - 1)).isEqualTo(rows - 1);
                    // reading the view allocated nothing for its 64 MiB of data: not one byte beyond the mapping
                    assertThat(mapped.getAllocatedMemory()).isEqualTo(size);
                    assertThat(root.getAllocatedMemory()).isEqualTo(size);
                    long dataAddress = v.getDataBuffer().memoryAddress();

                    // a second, writable mapping of the same file: change the marked value in place
                    try (Arena arena = Arena.ofConfined();
                         FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                        MemorySegment rw = ch.map(FileChannel.MapMode.READ_WRITE, 0, size, arena);
                        ValueLayout.OfLong le = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
                        long offset = -1;
                        for (long at = 0; at + 8 <= size; at += 8) { // bodies are 8-byte aligned
                            if (rw.get(le, at) == mark) {
                                assertThat(offset).as("mark is unique").isEqualTo(-1);
                                offset = at;
                            }
                        }
                        assertThat(offset).isPositive();
                        // the view's data buffer lies inside a page-aligned mapping of this file at the same offset
                        long viewBase = dataAddress + (long) marked * 8 - offset;
                        assertThat(viewBase % 4096).isZero();
                        rw.set(le, offset, replacement);
                    }
                    assertThat(v.get(marked)).as("the view reads the file's pages in place").isEqualTo(replacement);
                    assertThat(v.get(marked - 1)).isEqualTo(marked - 1);
                }
                assertThat(mapped.getAllocatedMemory()).isEqualTo(size);
            }
            assertThat(mapped.getAllocatedMemory()).isZero();
        } finally {
            Files.deleteIfExists(file);
        }
    }

    @Test
    void mappingLivesUntilSegmentAndEveryViewAreClosed() throws Exception {
        BufferAllocator data = child("data");
        BufferAllocator mapped = child("mapped");
        Path file = dir.resolve("life.arrows");
        try (Partition p = mixed(data)) {
            SegmentFiles.write(p, file);

            // the segment closed first: the views stay readable, the last view releases everything
            MappedSegment seg = MappedSegment.map(file, mapped);
            Partition view = seg.partition();
            Partition view2 = seg.partition();
            seg.close();
            seg.close();
            assertThatThrownBy(seg::partition).isInstanceOf(IllegalStateException.class);
            assertThat(mapped.getAllocatedMemory()).isEqualTo(seg.size());
            Files.delete(file); // unlinked while mapped
            assertSameTable(view, p);
            view.close();
            assertSameTable(view2, p);
            view2.close();
            assertThat(mapped.getAllocatedMemory()).isZero();

            // the file deleted before any view was made
            SegmentFiles.write(p, file);
            try (MappedSegment seg2 = MappedSegment.map(file, mapped)) {
                Files.delete(file);
                try (Partition v = seg2.partition()) {
                    assertSameTable(v, p);
                }
            }
            assertThat(mapped.getAllocatedMemory()).isZero();
        } finally {
            Files.deleteIfExists(file);
        }
    }

    @Test
    void aFileThatIsNotASegmentIsRefusedWithoutLeaking() throws Exception {
        BufferAllocator mapped = child("mapped");
        Path file = dir.resolve("junk.arrows");
        try {
            Files.write(file, "this is not an arrow stream at all".getBytes(StandardCharsets.UTF_8));
            assertThatThrownBy(() -> MappedSegment.map(file, mapped)).isInstanceOf(Exception.class);
            assertThat(mapped.getAllocatedMemory()).isZero();
        } finally {
            Files.deleteIfExists(file);
        }
    }
}
