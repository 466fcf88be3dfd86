package io.partita.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.partita.client.Client;
import io.partita.client.ClientOptions;
import io.partita.client.TaskFuture;
import io.partita.common.flight.FetchTicket;
import io.partita.common.protocol.WorkerStatus;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import org.apache.arrow.flight.CallStatus;
import org.apache.arrow.flight.FlightClient;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.FlightStream;
import org.apache.arrow.flight.Location;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/** With --auth-token set, the client API, artifact upload and every Flight endpoint refuse callers without it. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(180)
class TokenTest {
    private static final String TOKEN = "s3cret-token";
    private ClusterProcesses cluster;

    @BeforeAll
    void start() throws Exception {
        cluster = ClusterProcesses.start("token", 1, 1, TOKEN);
    }

    @AfterAll
    void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void clientWithTheTokenWorksAndWithoutItIsRefused() {
        try (Client client = Client.connect(ClientOptions.of(cluster.address()).withToken(TOKEN))) {
            assertThat(client.submit((Integer x) -> x + 1, 41).result()).isEqualTo(42);
        }
        assertThatThrownBy(() -> Client.connect(ClientOptions.of(cluster.address()).withToken(null)).close())
                .hasMessageContaining("unauthenticated");
        assertThatThrownBy(() -> Client.connect(ClientOptions.of(cluster.address()).withToken("wrong")).close())
                .hasMessageContaining("unauthenticated");
    }

    @Test
    void httpApiAndArtifactUploadRefuseRequestsWithoutTheToken() throws Exception {
        try (HttpClient http = io.partita.common.net.InternalHttp.client(java.time.Duration.ofSeconds(10))) {
            String base = "http://" + cluster.address();
            HttpResponse<String> upload = http.send(HttpRequest.newBuilder(URI.create(base + "/api/artifacts/" + "a".repeat(64)))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[] {1, 2, 3})).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(upload.statusCode()).isEqualTo(401);
            assertThat(upload.body()).contains("unauthenticated");
            HttpResponse<String> info = http.send(HttpRequest.newBuilder(URI.create(base + "/api/cluster")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(info.statusCode()).isEqualTo(401);
        }
    }

    @Test
    void flightOnWorkersAndOnTheProxyRefusesCallsWithoutTheToken() throws Exception {
        String workerFlight = cluster.workerStatus().stream().map(WorkerStatus::info).findFirst().orElseThrow().flightUri();
        for (String uri : List.of(workerFlight, "grpc+tcp://127.0.0.1:" + cluster.flightPort)) {
            try (RootAllocator allocator = new RootAllocator();
                 FlightClient flight = FlightClient.builder(allocator, new Location(URI.create(uri))).build()) {
                assertThatThrownBy(() -> {
                    try (FlightStream stream = flight.getStream(new FetchTicket(List.of("any-1")).toTicket())) {
                        stream.next();
                    }
                }).isInstanceOfSatisfying(FlightRuntimeException.class, e -> {
                    assertThat(e.status().code()).isEqualTo(CallStatus.UNAUTHENTICATED.code());
                    assertThat(e.getMessage()).contains("unauthenticated");
                });
            }
        }
    }

    @Test
    void resultsAreGatheredWithTheTokenOverFlight() {
        try (Client client = Client.connect(ClientOptions.of(cluster.address()).withToken(TOKEN))) {
            List<TaskFuture<String>> futures = client.map((Integer i) -> "r" + i, List.of(1, 2));
            assertThat(client.gather(futures)).containsExactly("r1", "r2");
        }
    }
}
