package io.partita.worker.code;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.partita.common.auth.ClusterToken;
import io.partita.common.net.Retry;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Downloads of task jars over a connection that the test server breaks on purpose. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CodeLoaderTest {
    private static final Retry.Policy QUICK = new Retry.Policy(4, Duration.ofMillis(10), Duration.ofMillis(40), Duration.ofSeconds(20));

    @TempDir
    Path cache;
    private final byte[] jar = randomBytes(200_000);
    private Server server;

    @AfterEach
    void stop() throws IOException {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void asksForHttp11WithoutAnUpgradeToH2c() throws Exception {
        server = new Server(List.of(Answer.WHOLE));
        try (CodeLoader loader = loader()) {
            loader.loader(List.of(sha(jar)));
        }
        List<String> request = server.requests.getFirst();
        assertThat(request.getFirst()).isEqualTo("GET /api/artifacts/" + sha(jar) + " HTTP/1.1");
        assertThat(request).noneMatch(h -> h.toLowerCase().startsWith("upgrade:") || h.toLowerCase().startsWith("http2-settings:"));
        assertThat(Files.readAllBytes(cache.resolve(sha(jar) + ".jar"))).isEqualTo(jar);
    }

    @Test
    void retriesADownloadWhoseConnectionBreaksMidBody() throws Exception {
        server = new Server(List.of(Answer.HALF_THEN_RESET, Answer.HALF_THEN_RESET, Answer.WHOLE));
        try (CodeLoader loader = loader()) {
            assertThat(loader.loader(List.of(sha(jar)))).isNotNull();
        }
        assertThat(server.requests).hasSize(3);
        assertThat(Files.readAllBytes(cache.resolve(sha(jar) + ".jar"))).isEqualTo(jar);
        try (var files = Files.list(cache)) {
            assertThat(files).extracting(p -> p.getFileName().toString()).containsExactly(sha(jar) + ".jar"); // no .part left
        }
    }

    @Test
    void aDownloadThatKeepsFailingNamesTheSchedulerTheArtifactAndTheCause() throws Exception {
        server = new Server(List.of(Answer.HALF_THEN_RESET));
        try (CodeLoader loader = loader()) {
            assertThatThrownBy(() -> loader.loader(List.of(sha(jar))))
                    .isInstanceOf(CodeFetchException.class)
                    .hasMessageContaining("cannot fetch artifact " + sha(jar))
                    .hasMessageContaining("from the scheduler at http://127.0.0.1:" + server.port())
                    .hasMessageContaining("IOException") // the cause's own words, not only "closed"
                    .satisfies(e -> assertThat(e.getCause()).isInstanceOf(IOException.class))
                    .satisfies(e -> assertThat(e.getCause().getSuppressed()).isNotEmpty());
        }
        assertThat(server.requests).hasSize(QUICK.maxAttempts());
    }

    @Test
    void anArtifactTheSchedulerDoesNotHoldIsNotAskedForAgain() throws Exception {
        server = new Server(List.of(Answer.NOT_FOUND));
        try (CodeLoader loader = loader()) {
            assertThatThrownBy(() -> loader.loader(List.of(sha(jar)))).isInstanceOf(CodeFetchException.class)
                    .hasMessageContaining("HTTP 404");
        }
        assertThat(server.requests).hasSize(1);
    }

    private CodeLoader loader() {
        URI base = URI.create("http://127.0.0.1:" + server.port());
        return new CodeLoader(() -> base, ClusterToken.none(), cache, QUICK);
    }

    private static byte[] randomBytes(int n) {
        byte[] bytes = new byte[n];
        new Random(3).nextBytes(bytes);
        return bytes;
    }

    private static String sha(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private enum Answer { WHOLE, HALF_THEN_RESET, NOT_FOUND }

    /** An HTTP/1.1 server that answers the n-th connection with the n-th answer (the last one repeats). */
    private final class Server implements AutoCloseable {
        final List<List<String>> requests = new CopyOnWriteArrayList<>();
        private final ServerSocket socket;
        private final Thread thread;

        Server(List<Answer> answers) throws IOException {
            socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            thread = Thread.ofPlatform().daemon().name("code-loader-test-server").start(() -> {
                for (int n = 0; !socket.isClosed(); n++) {
                    try (Socket s = socket.accept()) {
                        serve(s, answers.get(Math.min(n, answers.size() - 1)));
                    } catch (IOException e) {
                        return; // closed
                    }
                }
            });
        }

        int port() {
            return socket.getLocalPort();
        }

        private void serve(Socket s, Answer answer) throws IOException {
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
            List<String> request = new ArrayList<>();
            for (String line = in.readLine(); line != null && !line.isEmpty(); line = in.readLine()) {
                request.add(line);
            }
            requests.add(request);
            OutputStream out = s.getOutputStream();
            if (answer == Answer.NOT_FOUND) {
                out.write("HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\nConnection: close\r\n\r\nnot here\n"
                        .getBytes(StandardCharsets.US_ASCII));
                return;
            }
            out.write(("HTTP/1.1 200 OK\r\nContent-Type: application/java-archive\r\nContent-Length: " + jar.length
                    + (answer == Answer.WHOLE ? "\r\nConnection: close" : "") + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            if (answer == Answer.WHOLE) {
                out.write(jar);
                out.flush();
            } else {
                out.write(jar, 0, jar.length / 2);
                out.flush();
                s.setSoLinger(true, 0); // reset, as a broken connection does
            }
        }

        @Override
        public void close() throws IOException {
            socket.close();
            try {
                thread.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
