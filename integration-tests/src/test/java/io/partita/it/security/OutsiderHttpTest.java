package io.partita.it.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.partita.client.Client;
import io.partita.client.ClientOptions;
import io.partita.common.protocol.WorkerStatus;
import io.partita.it.ClusterProcesses;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * An outsider on the network, without the token, against every HTTP route of a scheduler (client API, dashboard)
 * and a worker: each is refused but {@code /health} and {@code /metrics}; a foreign Host header (a DNS-rebinding
 * page) is refused on the dashboard, and a page of another site on every port, even with the token. The cluster goes
 * on serving.
 */
@Timeout(180)
class OutsiderHttpTest {
    private static final String TOKEN = "outsider-http-" + System.nanoTime();
    private static final String WS = "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
            + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n";

    private record Route(int port, String method, String path, String headers) {}

    @Test
    void everyRouteWithoutTheTokenOrUnderAForeignNameIsRefusedAndTheClusterGoesOn() throws Exception {
        try (ClusterProcesses cluster = ClusterProcesses.start("outsider-http", 1, 1, TOKEN)) {
            WorkerStatus worker = cluster.workerStatus().getFirst();
            int api = cluster.port;
            int dashboard = cluster.dashboardPort;
            int workerHttp = worker.info().httpPort();
            List<Route> guarded = List.of(
                    new Route(api, "GET", "/api/cluster", ""), new Route(api, "GET", "/api/workers", ""),
                    new Route(api, "HEAD", "/api/artifacts/" + "0".repeat(64), ""),
                    new Route(api, "GET", "/api/artifacts/" + "0".repeat(64), ""),
                    new Route(api, "POST", "/api/artifacts/" + "0".repeat(64), "Content-Length: 0\r\n"),
                    new Route(api, "GET", "/api/client", WS), new Route(api, "GET", "/api/worker", WS),
                    new Route(dashboard, "GET", "/", ""), new Route(dashboard, "GET", "/status", ""),
                    new Route(dashboard, "GET", "/workers", ""), new Route(dashboard, "GET", "/graph", ""),
                    new Route(dashboard, "GET", "/dashboard/summary.json", ""),
                    new Route(dashboard, "GET", "/dashboard/data.json?page=status", ""),
                    new Route(dashboard, "GET", "/dashboard/events?page=status", ""),
                    new Route(workerHttp, "GET", "/api/store", ""), new Route(workerHttp, "GET", "/segments/x", ""));
            List<Route> open = List.of(new Route(dashboard, "GET", "/health", ""), new Route(dashboard, "GET", "/metrics", ""),
                    new Route(workerHttp, "GET", "/health", ""), new Route(workerHttp, "GET", "/metrics", ""));

            List<String> wrong = new ArrayList<>();
            for (Route r : guarded) {
                expect(wrong, r, "127.0.0.1", "", 401);
                expect(wrong, r, "127.0.0.1", "Authorization: Bearer wrong\r\n", 401);
            }
            for (Route r : open) {
                expect(wrong, r, "127.0.0.1", "", 200);
            }
            String bearer = "Authorization: Bearer " + TOKEN + "\r\n";
            for (Route r : List.of(guarded.get(0), guarded.get(1), guarded.get(9), guarded.get(14))) {
                expect(wrong, r, "127.0.0.1", bearer, 200);
                // DNS rebinding, a page under its own name: refused on the dashboard; the other ports take any name
                // with a token (in-cluster Service names), which the page does not have
                expect(wrong, r, "rebound.example:" + r.port(), bearer, r.port() == dashboard ? 421 : 200);
                expect(wrong, r, "rebound.example:" + r.port(), "", r.port() == dashboard ? 421 : 401);
                expect(wrong, r, "127.0.0.1", bearer + "Origin: http://evil.example\r\n", 403);
            }
            expect(wrong, open.get(1), "rebound.example", "", 421); // the dashboard's /metrics
            expect(wrong, open.getFirst(), "rebound.example", "", 200); // /health: probes reach it by any name
            expect(wrong, guarded.get(5), "127.0.0.1", bearer + "Origin: http://evil.example\r\n", 403); // the client WebSocket
            assertThat(wrong).as("routes that answered otherwise than expected").isEmpty();

            try (Client client = Client.connect(ClientOptions.of(cluster.address()).withToken(TOKEN))) {
                assertThat(client.submit((Integer x) -> x + 1, 41).get()).isEqualTo(42);
            }
        }
    }

    private static void expect(List<String> wrong, Route r, String host, String headers, int status) throws IOException {
        int got = status(r, host, headers);
        if (got != status) {
            wrong.add(r.method() + " :" + r.port() + r.path() + " Host " + host + " with [" + headers.strip().replace("\r\n", "; ")
                    + "]: " + got + ", expected " + status);
        }
    }

    /** The status of one raw HTTP/1.1 request (raw, so that the Host header is the test's own). */
    static int status(Route r, String host, String headers) throws IOException {
        try (Socket s = new Socket("127.0.0.1", r.port())) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write((r.method() + " " + r.path() + " HTTP/1.1\r\nHost: " + host + "\r\n" + r.headers() + headers
                    + (r.headers().contains("Upgrade") ? "" : "Connection: close\r\n") + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            StringBuilder line = new StringBuilder();
            for (int c = in.read(); c >= 0 && c != '\n' && line.length() < 200; c = in.read()) {
                line.append((char) c);
            }
            String[] parts = line.toString().split(" ");
            return parts.length > 1 ? Integer.parseInt(parts[1]) : -1;
        }
    }
}
