package io.partita.scheduler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.partita.common.auth.ClusterToken;
import io.partita.common.codec.MessageCodec;
import io.partita.common.protocol.ClusterInfo;
import io.partita.scheduler.config.SchedulerConfig;
import io.partita.scheduler.state.SchedulerLimits;
import java.net.ConnectException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code --listen-address}: the API, dashboard and Flight proxy listen there, while {@code --host} stays the address
 * announced to workers and clients and the Hazelcast member address (a pod: listen on 0.0.0.0, announce the pod IP).
 * Two loopback addresses stand for the two here.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ListenAddressTest {
    @Test
    void listensOnTheListenAddressAndAnnouncesTheHost() throws Exception {
        int hazelcastPort = SchedulerServerTest.freePort();
        int apiPort = SchedulerServerTest.freePort(); // announced as configured, so not 0
        SchedulerConfig config = new SchedulerConfig("127.0.0.1", apiPort, 0, 0, hazelcastPort, "partita-listen-" + hazelcastPort,
                ClusterToken.none(), 1L << 20, 1L << 20, null, SchedulerLimits.defaults(), List.of(), "127.0.0.2", null, null);
        try (SchedulerServer server = SchedulerServer.start(config).toCompletionStage().toCompletableFuture().get(90, TimeUnit.SECONDS);
             HttpClient http = io.partita.common.net.InternalHttp.client(java.time.Duration.ofSeconds(10))) {
            HttpResponse<String> health = http.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.2:" + server.dashboardPort() + "/health")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(health.statusCode()).isEqualTo(200);

            HttpResponse<String> cluster = http.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.2:" + server.port() + "/api/cluster")).build(), HttpResponse.BodyHandlers.ofString());
            ClusterInfo info = MessageCodec.fromJson(cluster.body(), ClusterInfo.class);
            assertThat(info.schedulers()).containsExactly("127.0.0.1:" + apiPort);
            assertThat(server.readyLine()).contains("client API 127.0.0.1:" + server.port())
                    .contains("Flight proxy grpc+tcp://127.0.0.1:" + server.flightPort());

            for (int port : new int[] {server.port(), server.dashboardPort(), server.flightPort()}) {
                try (Socket s = new Socket("127.0.0.2", port)) {
                    assertThat(s.isConnected()).isTrue();
                }
                assertThatThrownBy(() -> new Socket("127.0.0.1", port).close()).isInstanceOf(ConnectException.class);
            }
        }
    }
}
