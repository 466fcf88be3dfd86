package io.partita.common.net;

import io.partita.common.tls.Tls;
import java.net.http.HttpClient;
import java.time.Duration;

/**
 * The JDK HTTP client for calls between Partita's own processes: HTTP/1.1 only.
 *
 * <p>Left at its default, the JDK client asks every new connection to upgrade to HTTP/2 in clear text (h2c). Our
 * servers (Vert.x) used to accept, and a file sent on the upgraded stream could reach the wire unframed under load:
 * the client then read jar bytes as an HTTP/2 frame header ("Frame type(245) length(3541019) exceeds
 * MAX_FRAME_SIZE"), failed the body with {@code IOException("closed")} and the connection with it (see
 * docs/architecture.md, "HTTP between our processes"). Our servers refuse h2c now; clients never ask for it.
 */
public final class InternalHttp {
    private InternalHttp() {}

    public static HttpClient client(Duration connectTimeout) {
        return client(connectTimeout, Tls.off());
    }

    /** With TLS on, {@code https://} (and {@code wss://}) calls verify the server with the process's {@link Tls}. */
    public static HttpClient client(Duration connectTimeout, Tls tls) {
        HttpClient.Builder b = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(connectTimeout);
        if (tls.enabled()) {
            b.sslContext(tls.sslContext()).sslParameters(tls.clientParameters());
        }
        return b.build();
    }

    /**
     * The body of an answer read through {@code HttpResponse.BodyHandlers.ofInputStream()}, refused past
     * {@code maxBytes}: an address that is not ours (or not yet authenticated) cannot make this process buffer
     * without end.
     */
    public static String boundedBody(java.io.InputStream body, int maxBytes) throws java.io.IOException {
        try (body) {
            byte[] bytes = body.readNBytes(maxBytes + 1);
            if (bytes.length > maxBytes) {
                throw new java.io.IOException("an answer of more than " + maxBytes + " bytes, refused");
            }
            return new String(bytes, java.nio.charset.StandardCharsets.UTF_8);
        }
    }
}
