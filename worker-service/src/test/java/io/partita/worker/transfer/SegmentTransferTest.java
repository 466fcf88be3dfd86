package io.partita.worker.transfer;

import static org.assertj.core.api.Assertions.assertThat;

import io.partita.common.auth.ClusterToken;
import io.partita.common.data.Partition;
import io.partita.common.protocol.WorkerAddress;
import io.partita.worker.store.ObjectStore;
import io.partita.worker.store.TestTables;
import io.partita.worker.store.TransferStats;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The bulk path between a holder's {@link SegmentRoute} (real Vert.x HTTP server) and a fetcher's {@link SegmentPuller}. */
class SegmentTransferTest {
    /** Rows of the big table: 5M longs = 40 MB, sent in 2 parts. */
    private static final int BIG_ROWS = 5_000_000;
    private final ClusterToken token = ClusterToken.of("s3cret");
    @TempDir
    Path dir;

    private RootAllocator allocator;
    private ObjectStore holder;
    private ObjectStore local;
    private FlightService flight;
    private Vertx vertx;
    private HttpServer http;

    @BeforeEach
    void start() throws Exception {
        allocator = new RootAllocator();
        holder = new ObjectStore(allocator, dir.resolve("shm/holder"), dir.resolve("spill/holder"), new TransferStats());
        local = new ObjectStore(allocator, dir.resolve("shm/local"), dir.resolve("spill/local"), new TransferStats());
        holder.putTable("big", TestTables.longs(allocator, 0, BIG_ROWS));
        holder.putTable("small", TestTables.longs(allocator, 100, 1000));
        flight = new FlightService(allocator, holder, "127.0.0.1", 0, token, key -> { });
        vertx = Vertx.vertx();
        Router router = Router.router(vertx);
        router.get(SegmentRoute.PATH).handler(new SegmentRoute(holder, token));
        http = vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1")
                .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @AfterEach
    void stop() throws Exception {
        http.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        flight.close();
        local.close();
        holder.close();
        allocator.close(); // throws if a buffer leaked
        try (Stream<Path> files = Files.walk(dir)) {
            assertThat(files.filter(Files::isRegularFile).toList()).as("files left behind").isEmpty();
        }
    }

    private WorkerAddress holderAt(String httpUri) {
        return new WorkerAddress("h", "another-host", flight.uri(), dir.resolve("shm/holder").toString(),
                dir.resolve("spill/holder").toString(), httpUri);
    }

    private String httpUri() {
        return "http://127.0.0.1:" + http.actualPort();
    }

    @Test
    void aBigTableArrivesInPartsAsTheHoldersSegmentFileByteForByte() throws Exception {
        try (PeerFetcher fetcher = new PeerFetcher(allocator, local, token, "this-host", PeerTransfer.BULK)) {
            PeerFetcher.Result r = fetcher.fetch(holderAt(httpUri()), List.of("big", "small"), Set.of("big"));
            assertThat(r.received()).containsExactlyInAnyOrder("big", "small");
            assertThat(r.error()).isNull();
        }
        Path sent = dir.resolve("shm/holder").resolve(ObjectStore.segmentFileName("big"));
        Path received = dir.resolve("shm/local").resolve(ObjectStore.segmentFileName("big"));
        assertThat(SegmentRoute.parts(Files.size(sent), SegmentPuller.PARTS)).isEqualTo(2);
        assertThat(Files.mismatch(sent, received)).isEqualTo(-1);
        try (Partition view = local.table("big")) {
            assertThat(TestTables.mappedFile(view)).isEqualTo(received.toString());
            BigIntVector x = (BigIntVector) view.batches().getFirst().getVector("x");
            assertThat(x.getValueCount()).isEqualTo(BIG_ROWS);
            assertThat(x.get(BIG_ROWS - 1)).isEqualTo(BIG_ROWS - 1);
        }
        try (Partition view = local.table("small")) {
            assertThat(TestTables.first(view)).isEqualTo(100);
        }
        var in = local.stats().snapshot();
        assertThat(in.bulkInCount()).isEqualTo(2);
        assertThat(in.bulkInBytes()).isEqualTo(holder.sizeOf("big") + holder.sizeOf("small"));
        assertThat(in.flightInCount()).isZero();
        assertThat(in.fetchBytesPerSecond()).isPositive();
        // the holder counts a part once it is written to the socket, possibly just after the puller read its end
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (holder.stats().snapshot().bulkOutBytes() < in.bulkInBytes() && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(holder.stats().snapshot().bulkOutBytes()).isEqualTo(in.bulkInBytes());
        assertThat(holder.spillCandidates()).as("parts unpinned after sending").hasSize(2);
    }

    @Test
    void aSecondBigTableIsPulledIntoTheSpareTheFirstLeftAndIsByteForByteTheHolders() throws Exception {
        Path received = dir.resolve("shm/local").resolve(ObjectStore.segmentFileName("big"));
        Object spare;
        try (PeerFetcher fetcher = new PeerFetcher(allocator, local, token, "this-host", PeerTransfer.BULK)) {
            assertThat(fetcher.fetch(holderAt(httpUri()), List.of("big"), Set.of("big")).received()).containsExactly("big");
            local.remove("big");
            org.junit.jupiter.api.Assumptions.assumeTrue(local.sparesEnabled(), "no spare segment files here");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (local.spareBytes() == 0) {
                assertThat(System.nanoTime()).as("a spare within 20 s").isLessThan(deadline);
                Thread.sleep(5);
            }
            try (Stream<Path> files = Files.list(dir.resolve("shm/local"))) {
                Path file = files.filter(f -> f.getFileName().toString().startsWith(".spare-")).findFirst().orElseThrow();
                spare = Files.getAttribute(file, "unix:ino");
            }
            assertThat(fetcher.fetch(holderAt(httpUri()), List.of("big"), Set.of("big")).received()).containsExactly("big");
        }
        assertThat(Files.getAttribute(received, "unix:ino")).as("pulled into the spare").isEqualTo(spare);
        Path sent = dir.resolve("shm/holder").resolve(ObjectStore.segmentFileName("big"));
        assertThat(Files.mismatch(sent, received)).isEqualTo(-1);
        assertThat(received).hasSize(Files.size(sent));
    }

    @Test
    void aKeyTheHolderLacksDoesNotStopTheBulkPathForItsOtherTables() throws Exception {
        try (PeerFetcher fetcher = new PeerFetcher(allocator, local, token, "this-host", PeerTransfer.BULK)) {
            PeerFetcher.Result r = fetcher.fetch(holderAt(httpUri()), List.of("absent"), Set.of("absent"));
            assertThat(r.missing()).containsExactly("absent");
            assertThat(fetcher.bulkSuspended(httpUri())).isFalse();
            assertThat(fetcher.fetch(holderAt(httpUri()), List.of("small"), Set.of("small")).received()).containsExactly("small");
        }
        assertThat(local.stats().snapshot().bulkInCount()).isEqualTo(1);
    }

    @Test
    void aSpilledTableIsSentFromItsSpillFile() throws Exception {
        assertThat(holder.spill("small")).isPositive();
        try (PeerFetcher fetcher = new PeerFetcher(allocator, local, token, "this-host", PeerTransfer.BULK)) {
            assertThat(fetcher.fetch(holderAt(httpUri()), List.of("small"), Set.of()).received()).containsExactly("small");
        }
        try (Partition view = local.table("small")) {
            assertThat(TestTables.first(view)).isEqualTo(100);
        }
        assertThat(local.stats().snapshot().bulkInCount()).isEqualTo(1);
    }

    @Test
    void withoutTheTokenTheHolderRefusesAndTheFetcherFallsBackToFlight() throws Exception {
        ClusterToken wrong = ClusterToken.of("wrong");
        try (PeerFetcher fetcher = new PeerFetcher(allocator, local, wrong, "this-host", PeerTransfer.BULK)) {
            PeerFetcher.Result r = fetcher.fetch(holderAt(httpUri()), List.of("small"), Set.of("small"));
            assertThat(r.received()).isEmpty(); // Flight refuses the wrong token too
            assertThat(fetcher.bulkSuspended(httpUri())).as("a refused token is not worth retrying at once").isTrue();
        }
        assertThat(local.stats().snapshot().bulkInCount()).isZero();
        assertThat(holder.stats().snapshot().bulkOutBytes()).isZero();
        try (PeerFetcher fetcher = new PeerFetcher(allocator, local, token, "this-host", PeerTransfer.BULK)) {
            assertThat(fetcher.fetch(holderAt(httpUri()), List.of("small"), Set.of()).received()).containsExactly("small");
        }
        assertThat(local.stats().snapshot().bulkInCount()).isEqualTo(1);
    }

    @Test
    void aHolderWhoseHttpPortIsClosedIsFetchedFromOverFlight() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        String closed = "http://127.0.0.1:" + closedPort;
        try (PeerFetcher fetcher = new PeerFetcher(allocator, local, token, "this-host", PeerTransfer.BULK)) {
            assertThat(fetcher.bulkSuspended(closed)).isFalse();
            PeerFetcher.Result r = fetcher.fetch(holderAt(closed), List.of("small", "absent"), Set.of());
            assertThat(r.received()).containsExactly("small");
            assertThat(r.missing()).containsExactly("absent");
            // the next tables from that holder go straight to Flight for a while; other holders are not affected
            assertThat(fetcher.bulkSuspended(closed)).isTrue();
            assertThat(fetcher.bulkSuspended(httpUri())).isFalse();
        }
        var in = local.stats().snapshot();
        assertThat(in.bulkInCount()).isZero();
        assertThat(in.flightInCount()).isEqualTo(1);
        try (Partition view = local.table("small")) {
            assertThat(TestTables.first(view)).isEqualTo(100);
        }
    }

    @Test
    void flightOnlyFetchersDoNotUseTheBulkPath() throws Exception {
        try (PeerFetcher fetcher = new PeerFetcher(allocator, local, token, "this-host", PeerTransfer.FLIGHT)) {
            assertThat(fetcher.fetch(holderAt(httpUri()), List.of("small"), Set.of()).received()).containsExactly("small");
        }
        assertThat(local.stats().snapshot().bulkInCount()).isZero();
        assertThat(local.stats().snapshot().flightInCount()).isEqualTo(1);
    }

    @Test
    void partsCoverTheFileExactly() {
        for (long size : List.of(1L, 16L << 20, (16L << 20) + 1, 272_630_064L, 5L << 30)) {
            for (int wanted = 1; wanted <= 9; wanted++) {
                int parts = SegmentRoute.parts(size, wanted);
                assertThat(parts).isBetween(1, Math.min(wanted, SegmentRoute.MAX_PARTS));
                long next = 0;
                for (int i = 0; i < parts; i++) {
                    SegmentRoute.Range r = SegmentRoute.Range.of(size, i, parts);
                    assertThat(r.offset()).isEqualTo(next);
                    assertThat(r.length()).as("part %d of %d of %d bytes", i, parts, size).isPositive().isLessThanOrEqualTo(size);
                    next += r.length();
                }
                assertThat(next).isEqualTo(size);
            }
        }
    }
}
