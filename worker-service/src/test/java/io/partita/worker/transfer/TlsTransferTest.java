package io.partita.worker.transfer;

import static org.assertj.core.api.Assertions.assertThat;

import io.partita.common.auth.ClusterToken;
import io.partita.common.data.Partition;
import io.partita.common.protocol.WorkerAddress;
import io.partita.common.tls.Tls;
import io.partita.common.tls.TlsConfig;
import io.partita.common.tls.VertxTls;
import io.partita.testnet.TestCa;
import io.partita.worker.store.ObjectStore;
import io.partita.worker.store.TestTables;
import io.partita.worker.store.TransferStats;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tables and values between workers with TLS on: the bulk path over {@code https} (byte for byte the holder's file),
 * Flight over {@code grpc+tls} (the direct DoGet and Flight's reader), and under mutual TLS a fetcher without a
 * certificate of the cluster's CA gets nothing.
 */
@Timeout(120)
class TlsTransferTest {
    private static final int ROWS = 2_000_000;
    private final ClusterToken token = ClusterToken.of("s3cret");
    @TempDir
    Path dir;
    private RootAllocator allocator;
    private ObjectStore holder;
    private ObjectStore local;
    private FlightService flight;
    private Vertx vertx;
    private HttpServer http;
    private Tls holderTls;
    private TestCa ca;
    private Path caFile;

    private void start(boolean clientAuth) throws Exception {
        ca = TestCa.create("transfer-ca");
        caFile = ca.writeCertificate(dir.resolve("ca.crt"));
        TestCa.Issued node = ca.issue("holder", dir, "holder");
        holderTls = Tls.start(TlsConfig.server(node.cert(), node.key(), caFile, clientAuth));
        allocator = new RootAllocator();
        holder = new ObjectStore(allocator, dir.resolve("shm/holder"), dir.resolve("spill/holder"), new TransferStats());
        local = new ObjectStore(allocator, dir.resolve("shm/local"), dir.resolve("spill/local"), new TransferStats());
        holder.putTable("big", TestTables.longs(allocator, 0, ROWS));
        holder.put("value", new byte[] {1, 2, 3});
        flight = new FlightService(allocator, holder, "127.0.0.1", "127.0.0.1", 0, token, holderTls, key -> { });
        vertx = Vertx.vertx();
        Router router = Router.router(vertx);
        router.get(SegmentRoute.PATH).handler(new SegmentRoute(holder, token, clientAuth));
        router.get("/health").handler(ctx -> ctx.response().end("ok"));
        http = vertx.createHttpServer(VertxTls.serverAskingClientAuth(new HttpServerOptions(), holderTls)).requestHandler(router)
                .listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @AfterEach
    void stop() throws Exception {
        http.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        flight.close();
        local.close();
        holder.close();
        allocator.close();
        holderTls.close();
    }

    private WorkerAddress holder() {
        assertThat(flight.uri()).startsWith("grpc+tls://127.0.0.1:");
        return new WorkerAddress("h", "another-host", flight.uri(), dir.resolve("shm/holder").toString(),
                dir.resolve("spill/holder").toString(), "https://127.0.0.1:" + http.actualPort());
    }

    private Tls fetcherTls(boolean withCertificate) throws IOException {
        TlsConfig config = TlsConfig.client(caFile);
        if (withCertificate) {
            TestCa.Issued me = ca.issue("fetcher", dir, "fetcher");
            config = config.withClientCertificate(me.cert(), me.key());
        }
        return Tls.start(config);
    }

    @Test
    void theBulkPathOverHttpsBringsTheHoldersFileByteForByte() throws Exception {
        start(false);
        try (Tls tls = fetcherTls(false); PeerFetcher fetcher = new PeerFetcher(allocator, local, token, "this-host", PeerTransfer.BULK, tls)) {
            PeerFetcher.Result r = fetcher.fetch(holder(), List.of("big", "value"), Set.of("big"));
            assertThat(r.error()).isNull();
            assertThat(r.received()).containsExactlyInAnyOrder("big", "value");
        }
        Path sent = dir.resolve("shm/holder").resolve(ObjectStore.segmentFileName("big"));
        Path received = dir.resolve("shm/local").resolve(ObjectStore.segmentFileName("big"));
        assertThat(Files.mismatch(sent, received)).isEqualTo(-1);
        assertThat(local.stats().snapshot().bulkInCount()).isEqualTo(1);
        assertThat(local.get("value")).containsExactly(1, 2, 3);
    }

    @Test
    void flightOverTlsBringsTablesWithTheDirectGet() throws Exception {
        start(false);
        try (Tls tls = fetcherTls(false); PeerFetcher fetcher = new PeerFetcher(allocator, local, token, "this-host", PeerTransfer.FLIGHT, tls)) {
            assertThat(fetcher.fetch(holder(), List.of("big"), Set.of("big")).received()).containsExactly("big");
        }
        try (Partition view = local.table("big")) {
            assertThat(view.rowCount()).isEqualTo(ROWS);
        }
        assertThat(local.stats().snapshot().flightInCount()).isEqualTo(1);
        assertThat(local.stats().snapshot().bulkInCount()).isZero();
    }

    @Test
    void underMutualTlsOnlyAFetcherWithACertificateOfTheCaGetsData() throws Exception {
        start(true);
        try (Tls tls = fetcherTls(false); PeerFetcher fetcher = new PeerFetcher(allocator, local, token, "this-host", PeerTransfer.BULK, tls)) {
            PeerFetcher.Result r = fetcher.fetch(holder(), List.of("big", "value"), Set.of("big"));
            assertThat(r.received()).isEmpty();
            assertThat(r.error()).isNotNull();
            // the port let it in (probes do the same), the bulk path did not
            try (java.net.http.HttpClient client = io.partita.common.net.InternalHttp.client(java.time.Duration.ofSeconds(5), tls)) {
                String base = "https://127.0.0.1:" + http.actualPort();
                assertThat(client.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(base + "/health")).build(),
                        java.net.http.HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
                var segments = client.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(base + SegmentRoute.PATH
                        + "?key=big")).header(ClusterToken.HEADER, token.headerValue().orElseThrow()).build(),
                        java.net.http.HttpResponse.BodyHandlers.ofString());
                assertThat(segments.statusCode()).isEqualTo(403);
                assertThat(segments.body()).isEqualTo(SegmentRoute.NO_CLIENT_CERTIFICATE);
            }
        }
        TestCa.Issued foreign = TestCa.create("foreign-ca").issue("intruder", dir, "intruder");
        try (Tls tls = Tls.start(TlsConfig.client(caFile).withClientCertificate(foreign.cert(), foreign.key()));
             PeerFetcher fetcher = new PeerFetcher(allocator, local, token, "this-host", PeerTransfer.BULK, tls)) {
            assertThat(fetcher.fetch(holder(), List.of("big"), Set.of("big")).received()).isEmpty();
        }
        try (Tls tls = fetcherTls(true); PeerFetcher fetcher = new PeerFetcher(allocator, local, token, "this-host", PeerTransfer.BULK, tls)) {
            assertThat(fetcher.fetch(holder(), List.of("big", "value"), Set.of("big")).received()).containsExactlyInAnyOrder("big", "value");
        }
        assertThat(local.stats().snapshot().bulkInCount()).isEqualTo(1);
    }
}
