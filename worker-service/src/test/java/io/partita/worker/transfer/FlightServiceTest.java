package io.partita.worker.transfer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.partita.common.auth.ClusterToken;
import io.partita.common.codec.ValueCodec;
import io.partita.common.data.Partition;
import io.partita.common.data.TableStreams;
import io.partita.common.flight.FetchTicket;
import io.partita.common.flight.FlightAuth;
import io.partita.common.flight.KeyValueBatches;
import io.partita.common.flight.PutOutcome;
import io.partita.common.flight.ScatterDescriptor;
import io.partita.common.flight.TableTicket;
import io.partita.common.protocol.WorkerAddress;
import io.partita.worker.store.ObjectStore;
import io.partita.worker.store.TestTables;
import io.partita.worker.store.TransferStats;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;
import org.apache.arrow.flight.FlightClient;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.FlightStatusCode;
import org.apache.arrow.flight.Location;
import org.apache.arrow.flight.SyncPutListener;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.VarBinaryVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FlightServiceTest {
    private final ClusterToken token = ClusterToken.of("s3cret");
    @TempDir
    Path dir;

    private RootAllocator allocator;
    private ObjectStore store;
    private ObjectStore local;
    private FlightService server;
    private FlightClient client;
    private final ConcurrentLinkedQueue<String> scattered = new ConcurrentLinkedQueue<>();

    @BeforeEach
    void start() throws Exception {
        allocator = new RootAllocator();
        store = new ObjectStore(allocator, dir.resolve("shm/holder"), dir.resolve("spill/holder"), new TransferStats());
        local = new ObjectStore(allocator, dir.resolve("shm/local"), dir.resolve("spill/local"), new TransferStats());
        store.put("x-1", ValueCodec.encode("hello"));
        store.put("y-1", ValueCodec.encode(42L));
        store.putTable("t-1", TestTables.longs(allocator, 7, 5000));
        server = new FlightService(allocator, store, "127.0.0.1", 0, token, scattered::add);
        client = FlightClient.builder(allocator, Location.forGrpcInsecure("127.0.0.1", server.port())).build();
    }

    @AfterEach
    void stop() throws Exception {
        client.close();
        server.close();
        local.close();
        store.close();
        allocator.close(); // throws if a buffer leaked
        try (Stream<Path> files = Files.walk(dir)) {
            assertThat(files.filter(Files::isRegularFile).toList()).as("files left behind").isEmpty();
        }
    }

    @Test
    void servesHeldValuesToAClientWithTheTokenAndSkipsTables() throws Exception {
        Map<String, byte[]> got = new HashMap<>();
        KeyValueBatches.read(client.getStream(new FetchTicket(List.of("x-1", "y-1", "t-1", "absent")).toTicket(),
                FlightAuth.callOptions(token)), got::put);
        assertThat(got).containsOnlyKeys("x-1", "y-1");
        assertThat(ValueCodec.decode(got.get("x-1"), getClass().getClassLoader())).isEqualTo("hello");
        assertThat(flightOutBytesReaching(1)).isPositive();
    }

    /**
     * The bytes served over Flight once they reach {@code atLeast}, or after 5 s: the server counts a stream once it
     * has written it, which may be just after the client read its end.
     */
    private long flightOutBytesReaching(long atLeast) {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (store.stats().snapshot().flightOutBytes() < atLeast && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        return store.stats().snapshot().flightOutBytes();
    }

    @Test
    void refusesAClientWithoutTheToken() {
        assertThatThrownBy(() -> KeyValueBatches.read(client.getStream(new FetchTicket(List.of("x-1")).toTicket()), (k, v) -> { }))
                .isInstanceOfSatisfying(FlightRuntimeException.class,
                        e -> assertThat(e.status().code()).isEqualTo(FlightStatusCode.UNAUTHENTICATED));
        assertThatThrownBy(() -> TableStreams.read(client.getStream(new TableTicket("t-1").toTicket()), allocator).close())
                .isInstanceOfSatisfying(FlightRuntimeException.class,
                        e -> assertThat(e.status().code()).isEqualTo(FlightStatusCode.UNAUTHENTICATED));
    }

    @Test
    void streamsAStoredTable() throws Exception {
        try (Partition got = TableStreams.read(client.getStream(new TableTicket("t-1").toTicket(),
                FlightAuth.callOptions(token)), allocator)) {
            assertThat(got.rowCount()).isEqualTo(5000);
            assertThat(TestTables.first(got)).isEqualTo(7);
        }
        assertThat(flightOutBytesReaching(5000 * 8)).isGreaterThanOrEqualTo(5000 * 8);
        assertThatThrownBy(() -> TableStreams.read(client.getStream(new TableTicket("x-1").toTicket(),
                FlightAuth.callOptions(token)), allocator).close())
                .isInstanceOfSatisfying(FlightRuntimeException.class, e -> {
                    assertThat(e.status().code()).isEqualTo(FlightStatusCode.NOT_FOUND);
                    assertThat(e.getMessage()).contains("serialized value");
                });
    }

    @Test
    void aScatteredTableBecomesASegment() throws Exception {
        try (Partition table = TestTables.longs(allocator, 100, 3000)) {
            TableStreams.put(client, new ScatterDescriptor("s-1", true).toDescriptor(), table, allocator,
                    FlightAuth.callOptions(token));
        }
        assertThat(scattered).containsExactly("s-1");
        assertThat(dir.resolve("shm/holder").resolve(ObjectStore.segmentFileName("s-1"))).exists();
        try (Partition view = store.table("s-1")) {
            assertThat(view.rowCount()).isEqualTo(3000);
            assertThat(TestTables.first(view)).isEqualTo(100);
        }
        assertThat(store.stats().snapshot().flightInCount()).isEqualTo(1);
    }

    @Test
    void aScatteredValueIsStoredOnTheHeap() throws Exception {
        byte[] value = ValueCodec.encode("scattered");
        try (VectorSchemaRoot root = VectorSchemaRoot.create(KeyValueBatches.SCHEMA, allocator)) {
            SyncPutListener ack = new SyncPutListener();
            FlightClient.ClientStreamListener put = client.startPut(new ScatterDescriptor("s-2", false).toDescriptor(),
                    root, ack, FlightAuth.callOptions(token));
            ((VarCharVector) root.getVector(0)).setSafe(0, "s-2".getBytes(StandardCharsets.UTF_8));
            ((VarBinaryVector) root.getVector(1)).setSafe(0, value);
            root.setRowCount(1);
            put.putNext();
            put.completed();
            put.getResult();
            ack.close();
        }
        assertThat(store.get("s-2")).isEqualTo(value);
        assertThat(scattered).containsExactly("s-2");
    }

    @Test
    void aScatterWithoutTheTokenIsRefused() {
        try (Partition table = TestTables.longs(allocator, 1, 10)) {
            assertThatThrownBy(() -> TableStreams.put(client, new ScatterDescriptor("s-3", true).toDescriptor(), table, allocator))
                    .isInstanceOfSatisfying(FlightRuntimeException.class,
                            e -> assertThat(e.status().code()).isEqualTo(FlightStatusCode.UNAUTHENTICATED));
        }
        assertThat(store.contains("s-3")).isFalse();
        assertThat(scattered).isEmpty();
    }

    /**
     * Flight's {@code putNext} waits for the call to be ready until the listener reports it cancelled: with a listener
     * that never did (ours, before {@link PutOutcome#isCancelled()}), a batch sent after the server had refused the
     * call spun on a core forever, which hung {@link #aScatterWithoutTheTokenIsRefused} in CI whenever the refusal
     * came between the sender's readiness check and its {@code putNext}. Here the refusal is awaited first, so that
     * interleaving happens every time.
     */
    @Test
    void aBatchSentAfterTheServerRefusedThePutReturnsInsteadOfSpinning() {
        PutOutcome outcome = new PutOutcome();
        try (VectorSchemaRoot root = VectorSchemaRoot.create(KeyValueBatches.SCHEMA, allocator)) {
            FlightClient.ClientStreamListener put = client.startPut(new ScatterDescriptor("s-4", false).toDescriptor(),
                    root, outcome);
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (!outcome.isDone() && System.nanoTime() < deadline) {
                LockSupport.parkNanos(1_000_000);
            }
            assertThat(outcome.isDone()).as("the server refused the call").isTrue();
            ((VarCharVector) root.getVector(0)).setSafe(0, "s-4".getBytes(StandardCharsets.UTF_8));
            ((VarBinaryVector) root.getVector(1)).setSafe(0, ValueCodec.encode("late"));
            root.setRowCount(1);
            assertTimeoutPreemptively(Duration.ofSeconds(10), () -> put.putNext());
            assertThatThrownBy(put::getResult).isInstanceOfSatisfying(FlightRuntimeException.class,
                    e -> assertThat(e.status().code()).isEqualTo(FlightStatusCode.UNAUTHENTICATED));
        }
        assertThat(store.contains("s-4")).isFalse();
    }

    @Test
    void peerFetcherStoresValuesAndTablesOverFlightAndNamesWhatDidNotArrive() throws Exception {
        try (PeerFetcher fetcher = new PeerFetcher(allocator, local, token, "this-host", PeerTransfer.FLIGHT)) {
            PeerFetcher.Result r = fetcher.fetch(new WorkerAddress("w", "another-host", server.uri(),
                    dir.resolve("shm/holder").toString(), dir.resolve("spill/holder").toString(), ""), List.of("x-1", "t-1", "absent"), Set.of());
            assertThat(r.received()).containsExactlyInAnyOrder("x-1", "t-1");
            assertThat(r.missing()).containsExactly("absent");
            assertThat(r.error()).contains("does not hold");
            assertThat(local.get("x-1")).isEqualTo(store.get("x-1"));
            Path copy = dir.resolve("shm/local").resolve(ObjectStore.segmentFileName("t-1"));
            assertThat(copy).exists();
            try (Partition view = local.table("t-1")) {
                assertThat(TestTables.mappedFile(view)).isEqualTo(copy.toString());
            }
            assertThat(local.stats().snapshot().flightInCount()).isEqualTo(2);
            assertThat(local.stats().snapshot().segmentInCount()).isZero();
        }
    }

    @Test
    void aBigTableFetchedOverFlightGoesFromGrpcsBuffersIntoItsSegmentBatchByBatch() throws Exception {
        int rows = 3 << 20; // 24 MiB: sent as 4 MiB slices
        store.putTable("big", TestTables.longs(allocator, 11, rows));
        try (BufferAllocator fetching = allocator.newChildAllocator("fetching", 0, Long.MAX_VALUE)) {
            try (PeerFetcher fetcher = new PeerFetcher(fetching, local, token, "this-host", PeerTransfer.FLIGHT)) {
                PeerFetcher.Result r = fetcher.fetch(new WorkerAddress("w", "another-host", server.uri(),
                        dir.resolve("shm/holder").toString(), dir.resolve("spill/holder").toString(), ""), List.of("big"), Set.of());
                assertThat(r.received()).containsExactly("big");
            }
            assertThat(fetching.getPeakMemoryAllocation()).as("no Arrow buffer on the fetching side: the bodies went from "
                    + "gRPC's buffers into the segment (DirectTableGet)").isZero();
        }
        try (Partition view = local.table("big")) {
            assertThat(view.rowCount()).isEqualTo(rows);
            assertThat(view.batches()).as("the slices arrive as batches").hasSizeGreaterThanOrEqualTo(6);
            assertThat(TestTables.first(view)).isEqualTo(11);
            BigIntVector last = (BigIntVector) view.batches().getLast().getVector(0);
            assertThat(last.get(last.getValueCount() - 1)).isEqualTo(11L + rows - 1);
        }
        assertThat(local.stats().snapshot().flightInBytes()).isGreaterThanOrEqualTo((long) rows * Long.BYTES);
    }

    @Test
    void peerFetcherMapsANeighboursSegmentOnTheSameHost() throws Exception {
        Path holderDir = dir.resolve("shm/holder");
        try (PeerFetcher fetcher = new PeerFetcher(allocator, local, token, "this-host", PeerTransfer.FLIGHT)) {
            PeerFetcher.Result r = fetcher.fetch(new WorkerAddress("w", "this-host", server.uri(), holderDir.toString(),
                    dir.resolve("spill/holder").toString(), ""), List.of("t-1", "x-1"), Set.of("t-1"));
            assertThat(r.received()).containsExactlyInAnyOrder("t-1", "x-1");
            assertThat(dir.resolve("shm/local").resolve(ObjectStore.segmentFileName("t-1"))).doesNotExist();
            try (Partition view = local.table("t-1")) {
                assertThat(TestTables.mappedFile(view)).isEqualTo(holderDir.resolve(ObjectStore.segmentFileName("t-1")).toString());
            }
            assertThat(local.stats().snapshot().segmentInCount()).isEqualTo(1);
            assertThat(local.stats().snapshot().flightInCount()).isEqualTo(1); // the value came over Flight
            local.remove("t-1");
            assertThat(holderDir.resolve(ObjectStore.segmentFileName("t-1"))).exists();
        }
    }

    @Test
    void peerFetcherMapsANeighboursSpilledTableFromItsSpillFile() throws Exception {
        Path spillDir = dir.resolve("spill/holder");
        assertThat(store.spill("t-1")).isPositive();
        try (PeerFetcher fetcher = new PeerFetcher(allocator, local, token, "this-host", PeerTransfer.FLIGHT)) {
            PeerFetcher.Result r = fetcher.fetch(new WorkerAddress("w", "this-host", server.uri(),
                    dir.resolve("shm/holder").toString(), spillDir.toString(), ""), List.of("t-1"), Set.of("t-1"));
            assertThat(r.received()).containsExactly("t-1");
            try (Partition view = local.table("t-1")) {
                assertThat(TestTables.mappedFile(view)).isEqualTo(spillDir.resolve(ObjectStore.segmentFileName("t-1")).toString());
            }
            assertThat(local.stats().snapshot().segmentInCount()).isEqualTo(1);
            assertThat(local.stats().snapshot().flightInCount()).isZero();
            local.remove("t-1");
        }
    }
}
