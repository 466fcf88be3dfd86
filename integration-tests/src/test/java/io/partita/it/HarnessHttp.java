package io.partita.it;

import io.partita.common.net.Causes;
import io.partita.common.net.InternalHttp;
import io.partita.common.net.Retry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The tests' HTTP calls to the processes they started. "No answer" means only that nothing listens on the port; any
 * other failure is retried (as our processes retry each other) and then thrown with its causes, never taken for an
 * empty answer.
 */
public final class HarnessHttp implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HarnessHttp.class);
    private static final Retry.Policy RETRY = new Retry.Policy(4, Duration.ofMillis(50), Duration.ofMillis(500),
            Duration.ofSeconds(20));

    private final HttpClient http;

    public HarnessHttp() {
        this(io.partita.common.tls.Tls.off());
    }

    /** For {@code https} URLs of a TLS cluster: the harness trusts its CA (and presents the client's certificate). */
    public HarnessHttp(io.partita.common.tls.Tls tls) {
        this.http = InternalHttp.client(Duration.ofSeconds(5), tls);
    }

    /** {@code GET url} with an optional {@code Authorization} header; empty when nothing listens there. */
    public Optional<HttpResponse<String>> get(String url, String authorization) {
        HttpRequest.Builder req = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10));
        if (authorization != null) {
            req.header("Authorization", authorization);
        }
        HttpRequest request = req.build();
        try {
            return Optional.ofNullable(Retry.call("GET " + url, RETRY, LOG, () -> {
                try {
                    return http.send(request, HttpResponse.BodyHandlers.ofString());
                } catch (ConnectException e) {
                    return null; // refused: nothing listens (not yet, or no more)
                }
            }));
        } catch (IOException e) {
            throw new UncheckedIOException("GET " + url + " failed: " + Causes.describe(e), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted during GET " + url, e);
        }
    }

    /** The body of a {@code 200} answer to {@code GET url}; empty when nothing listens or another status came. */
    public Optional<String> ok(String url, String authorization) {
        return get(url, authorization).filter(r -> r.statusCode() == 200).map(HttpResponse::body);
    }

    @Override
    public void close() {
        http.close();
    }
}
