package io.partita.scheduler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.partita.common.auth.ClusterToken;
import io.partita.common.codec.MessageCodec;
import io.partita.common.flight.FlightAuth;
import io.partita.common.flight.TableTicket;
import io.partita.common.protocol.ClientRequest;
import io.partita.common.protocol.ClientUpdate;
import io.partita.common.protocol.ClusterInfo;
import io.partita.common.task.Arg;
import io.partita.common.task.FunctionSpec;
import io.partita.common.task.GraphSpec;
import io.partita.common.task.TaskSpec;
import io.partita.scheduler.config.SchedulerConfig;
import io.partita.scheduler.state.SchedulerLimits;
import io.partita.scheduler.store.ArtifactStore;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.arrow.flight.CallOption;
import org.apache.arrow.flight.FlightClient;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.FlightStatusCode;
import org.apache.arrow.flight.FlightStream;
import org.apache.arrow.flight.Location;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 180, unit = TimeUnit.SECONDS)
class SchedulerServerTest {
    static final String TOKEN = "s3cret";
    static SchedulerServer server;
    static Vertx vertx;
    static HttpClient http = io.partita.common.net.InternalHttp.client(java.time.Duration.ofSeconds(10));

    @BeforeAll
    static void start() throws Exception {
        SchedulerConfig config = new SchedulerConfig("127.0.0.1", 0, 0, 0, freePort(), "partita-test-" + freePort(),
                ClusterToken.of(TOKEN), 1L << 20, 1L << 20, null, SchedulerLimits.defaults().withMaxGraphTasks(1000), List.of());
        server = SchedulerServer.start(config).toCompletionStage().toCompletableFuture().get(120, TimeUnit.SECONDS);
        vertx = Vertx.vertx();
        // listening comes first, then the role (it reads the cluster's stored graphs): until active, the API answers 503
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!call("GET", server.dashboardPort(), "/health", null, false).body().contains("\"role\":\"active\"")) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the scheduler did not become active within 60 s");
            }
            Thread.sleep(20); // the poll's pace
        }
    }

    @AfterAll
    static void stop() throws Exception {
        if (vertx != null) {
            vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
        if (server != null) {
            server.close();
        }
        http.close();
    }

    static int freePort() throws IOException {
        return io.partita.testnet.FreePorts.next();
    }

    static HttpResponse<String> call(String method, int port, String path, byte[] body, boolean withToken) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        if (withToken) {
            b.header("Authorization", "Bearer " + TOKEN);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void healthAndClusterInfo() throws Exception {
        HttpResponse<String> health = call("GET", server.dashboardPort(), "/health", null, false);
        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(health.body()).contains("\"status\":\"ok\"");
        // with a token, the dashboard needs it too (a browser is sent to the login page: DashboardLoginTest)
        assertThat(call("GET", server.dashboardPort(), "/status", null, false).statusCode()).isEqualTo(401);
        assertThat(call("GET", server.dashboardPort(), "/dashboard/data.json?page=status", null, false).statusCode()).isEqualTo(401);
        assertThat(call("GET", server.dashboardPort(), "/status", null, true).body()).contains("Partita");
        assertThat(call("GET", server.dashboardPort(), "/metrics", null, false).statusCode()).isEqualTo(200);

        HttpResponse<String> refused = call("GET", server.port(), "/api/cluster", null, false);
        assertThat(refused.statusCode()).isEqualTo(401);
        assertThat(refused.body()).isEqualTo(ClusterToken.UNAUTHENTICATED);

        HttpResponse<String> cluster = call("GET", server.port(), "/api/cluster", null, true);
        assertThat(cluster.statusCode()).isEqualTo(200);
        ClusterInfo info = MessageCodec.fromJson(cluster.body(), ClusterInfo.class);
        assertThat(info.schedulerId()).isEqualTo(server.schedulerId());
        assertThat(info.schedulers()).hasSize(1);
        assertThat(call("GET", server.port(), "/api/workers", null, true).body()).isEqualTo("[]");
    }

    /**
     * The cause of the "closed" artifact fetches: the JDK's HTTP client asks each new connection to upgrade to h2c,
     * and a jar sent with sendFile on the upgraded stream could reach the wire unframed (docs/architecture.md). The
     * API and dashboard servers answer such a request in plain HTTP/1.1, with the whole body.
     */
    @Test
    void anArtifactRequestAskingForH2cIsAnsweredInHttp11() throws Exception {
        byte[] jar = new byte[300_000];
        new java.util.Random(7).nextBytes(jar);
        String sha = ArtifactStore.sha256(jar);
        assertThat(call("POST", server.port(), "/api/artifacts/" + sha, jar, true).statusCode()).isEqualTo(200);
        for (int port : new int[] {server.port(), server.dashboardPort()}) {
            String path = port == server.port() ? "/api/artifacts/" + sha : "/health";
            try (java.net.Socket socket = new java.net.Socket("127.0.0.1", port)) {
                socket.setSoTimeout(30_000);
                // what java.net.http.HttpClient sends on a new connection when left at its default (HTTP/2)
                socket.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port
                        + "\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAEAAEAAAAIAAAAAAAMAAAAAAAQBAAAAAAUAAEAAAAYABgAA"
                        + "\r\nAuthorization: Bearer " + TOKEN + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                java.io.DataInputStream in = new java.io.DataInputStream(socket.getInputStream());
                String status = readLine(in);
                assertThat(status).as("answer on port " + port).startsWith("HTTP/1.1 200");
                long length = -1;
                for (String line = readLine(in); !line.isEmpty(); line = readLine(in)) {
                    if (line.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) {
                        length = Long.parseLong(line.substring(15).strip());
                    }
                }
                if (port == server.port()) {
                    assertThat(length).isEqualTo(jar.length);
                    byte[] body = new byte[jar.length];
                    in.readFully(body);
                    assertThat(body).isEqualTo(jar);
                }
            }
        }
    }

    private static String readLine(java.io.InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        for (int c = in.read(); c != '\n'; c = in.read()) {
            if (c < 0) {
                throw new java.io.EOFException("connection closed after " + line);
            }
            if (c != '\r') {
                line.append((char) c);
            }
        }
        return line.toString();
    }

    @Test
    void artifactsAreContentAddressed() throws Exception {
        byte[] jar = "not really a jar".getBytes(StandardCharsets.UTF_8);
        String sha = ArtifactStore.sha256(jar);
        assertThat(call("HEAD", server.port(), "/api/artifacts/" + sha, null, true).statusCode()).isEqualTo(404);
        assertThat(call("POST", server.port(), "/api/artifacts/" + "0".repeat(64), jar, true).statusCode()).isEqualTo(400);
        assertThat(call("POST", server.port(), "/api/artifacts/" + sha, jar, true).statusCode()).isEqualTo(200);
        assertThat(call("HEAD", server.port(), "/api/artifacts/" + sha, null, true).statusCode()).isEqualTo(200);
        assertThat(call("GET", server.port(), "/api/artifacts/" + sha, null, true).body()).isEqualTo("not really a jar");
        HttpResponse<String> tooBig = call("POST", server.port(), "/api/artifacts/" + sha, new byte[(1 << 20) + 1], true);
        assertThat(tooBig.statusCode()).isEqualTo(413);
        assertThat(tooBig.body()).contains("--max-artifact-size");
        assertThat(call("HEAD", server.port(), "/api/artifacts/" + sha, null, false).statusCode()).isEqualTo(401);
    }

    @Test
    void clientSessionAcceptsGoodGraphsAndExplainsBadOnes() throws Exception {
        BlockingQueue<ClientUpdate> updates = new LinkedBlockingQueue<>();
        WebSocketClient client = vertx.createWebSocketClient();
        WebSocket ws = connect(client, new WebSocketConnectOptions().setHost("127.0.0.1").setPort(server.port())
                .setURI("/api/client").addHeader("Authorization", "Bearer " + TOKEN), updates);
        try {
            assertThat(next(updates)).isInstanceOf(ClientUpdate.Welcome.class);

            FunctionSpec f = FunctionSpec.of("inc", new byte[] {1, 2, 3}, List.of());
            TaskSpec t = TaskSpec.of("inc-1", f.id(), List.of(new Arg.Literal(new byte[] {42})));
            send(ws, new ClientRequest.SubmitGraph(1, new GraphSpec(List.of(f), List.of(t), List.of("inc-1"))));
            assertThat(next(updates)).isEqualTo(new ClientUpdate.GraphAccepted(1, 1));

            ws.writeBinaryMessage(Buffer.buffer(new byte[] {1, 2, (byte) 0xff}));
            assertThat(next(updates)).isInstanceOfSatisfying(ClientUpdate.RequestFailed.class, r -> {
                assertThat(r.requestId()).isZero();
                assertThat(r.error()).contains("undecodable ClientRequest");
            });

            ws.writeBinaryMessage(Buffer.buffer(new byte[(1 << 20) + 10]));
            assertThat(next(updates)).isInstanceOfSatisfying(ClientUpdate.RequestFailed.class,
                    r -> assertThat(r.error()).contains("over the limit"));
            // far over the limit (more than Vert.x would gather, 64 MiB past it): answered too, not disconnected
            ws.writeBinaryMessage(Buffer.buffer(new byte[80 << 20]));
            assertThat(next(updates)).isInstanceOfSatisfying(ClientUpdate.RequestFailed.class,
                    r -> assertThat(r.error()).contains("message of 80.00 MiB is over the limit of 1.00 MiB"));
            ws.writeTextMessage("{\"type\": \"WhoHas\"}");
            assertThat(next(updates)).isInstanceOfSatisfying(ClientUpdate.RequestFailed.class,
                    r -> assertThat(r.error()).contains("text frames are not accepted"));

            TaskSpec a = TaskSpec.of("a-1", f.id(), List.of(new Arg.Ref("b-1")));
            TaskSpec b = TaskSpec.of("b-1", f.id(), List.of(new Arg.Ref("a-1")));
            send(ws, new ClientRequest.SubmitGraph(2, new GraphSpec(List.of(f), List.of(a, b), List.of("a-1"))));
            assertThat(next(updates)).isInstanceOfSatisfying(ClientUpdate.RequestFailed.class, r -> {
                assertThat(r.requestId()).isEqualTo(2);
                assertThat(r.error()).startsWith("graph has a cycle: ");
            });

            TaskSpec orphan = TaskSpec.of("c-1", f.id(), List.of(new Arg.Ref("missing-1")));
            send(ws, new ClientRequest.SubmitGraph(3, new GraphSpec(List.of(f), List.of(orphan), List.of("c-1"))));
            assertThat(next(updates)).isInstanceOfSatisfying(ClientUpdate.RequestFailed.class,
                    r -> assertThat(r.error()).startsWith("task c-1 depends on unknown key missing-1"));

            send(ws, new ClientRequest.RegisterScattered(5, "w-gone", List.of(new ClientRequest.ScatteredKey("scatter-1", 8,
                    "java.lang.Integer"))));
            assertThat(next(updates)).isInstanceOfSatisfying(ClientUpdate.RequestFailed.class, r -> {
                assertThat(r.requestId()).isEqualTo(5);
                assertThat(r.error()).startsWith("worker w-gone is not connected to this scheduler");
            });

            // still up and serving this connection
            send(ws, new ClientRequest.WhoHas(4, List.of("inc-1")));
            assertThat(next(updates)).isEqualTo(new ClientUpdate.WhoHasReply(4, java.util.Map.of()));
        } finally {
            ws.close();
            client.close();
        }
    }

    @Test
    void theFlightProxyAnswersATableTicketOfAnUnknownKeyWithNotFound() throws Exception {
        try (BufferAllocator allocator = new RootAllocator();
             FlightClient flight = FlightClient.builder(allocator, Location.forGrpcInsecure("127.0.0.1", server.flightPort())).build()) {
            CallOption[] token = FlightAuth.callOptions(ClusterToken.of(TOKEN));
            assertThatThrownBy(() -> {
                try (FlightStream s = flight.getStream(new TableTicket("nothing-1").toTicket(), token)) {
                    s.next();
                }
            }).isInstanceOfSatisfying(FlightRuntimeException.class, e -> {
                assertThat(e.status().code()).isEqualTo(FlightStatusCode.NOT_FOUND);
                assertThat(e.getMessage()).contains("no worker holds nothing-1");
            });
        }
    }

    @Test
    void aClientOverTheLimitOfClientsIsToldWhyAndClosed() throws Exception {
        SchedulerConfig config = new SchedulerConfig("127.0.0.1", 0, 0, 0, freePort(), "partita-test-" + freePort(),
                ClusterToken.of(TOKEN), 1L << 20, 1L << 20, null, SchedulerLimits.defaults().withMaxClients(1), List.of());
        try (SchedulerServer small = SchedulerServer.start(config).toCompletionStage().toCompletableFuture().get(120, TimeUnit.SECONDS)) {
            WebSocketClient client = vertx.createWebSocketClient();
            WebSocketConnectOptions options = new WebSocketConnectOptions().setHost("127.0.0.1").setPort(small.port())
                    .setURI("/api/client").addHeader("Authorization", "Bearer " + TOKEN);
            BlockingQueue<ClientUpdate> first = new LinkedBlockingQueue<>();
            BlockingQueue<ClientUpdate> second = new LinkedBlockingQueue<>();
            java.util.concurrent.CompletableFuture<Short> closed = new java.util.concurrent.CompletableFuture<>();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            WebSocket one = null;
            while (one == null) { // 503 until the new scheduler is active
                try {
                    one = connect(client, options, first);
                } catch (java.util.concurrent.ExecutionException e) {
                    if (System.nanoTime() > deadline) {
                        throw e;
                    }
                    Thread.sleep(50); // the retry's pace
                }
            }
            assertThat(next(first)).isInstanceOf(ClientUpdate.Welcome.class);
            WebSocket two = client.connect(options).andThen(r -> {
                if (r.succeeded()) { // in the connect's own callback: before any message is delivered
                    r.result().binaryMessageHandler(b -> second.add(MessageCodec.fromCbor(b.getBytes(), ClientUpdate.class, Long.MAX_VALUE)));
                    r.result().closeHandler(v -> closed.complete(r.result().closeStatusCode()));
                }
            }).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
            assertThat(closed.get(30, TimeUnit.SECONDS)).isEqualTo((short) 1013);
            assertThat(second.poll(5, TimeUnit.SECONDS)).isInstanceOfSatisfying(ClientUpdate.RequestFailed.class,
                    r -> assertThat(r.error()).contains("--max-clients 1"));
            send(one, new ClientRequest.WhoHas(1, List.of("x")));
            assertThat(next(first)).isEqualTo(new ClientUpdate.WhoHasReply(1, java.util.Map.of())); // the first goes on
            one.close();
            client.close();
        }
    }

    /**
     * Connects and takes every update into {@code updates}. The handler is set in the connect's own callback, on the
     * connection's event loop, before any message is delivered: set after {@code get()} returns, the Welcome could
     * arrive first and be dropped.
     */
    static WebSocket connect(WebSocketClient client, WebSocketConnectOptions options, BlockingQueue<ClientUpdate> updates)
            throws Exception {
        return client.connect(options).andThen(r -> {
            if (r.succeeded()) {
                r.result().binaryMessageHandler(b -> updates.add(MessageCodec.fromCbor(b.getBytes(), ClientUpdate.class, Long.MAX_VALUE)));
            }
        }).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    static void send(WebSocket ws, ClientRequest request) {
        ws.writeBinaryMessage(Buffer.buffer(MessageCodec.toCbor(request)));
    }

    static ClientUpdate next(BlockingQueue<ClientUpdate> updates) throws InterruptedException {
        ClientUpdate u = updates.poll(30, TimeUnit.SECONDS);
        assertThat(u).as("an update within 30 s").isNotNull();
        return u;
    }
}
