package io.partita.client;

import com.fasterxml.jackson.core.type.TypeReference;
import io.partita.client.code.Artifact;
import io.partita.client.code.ArtifactUploader;
import io.partita.common.codec.MessageCodec;
import io.partita.common.net.Retry;
import io.partita.common.protocol.WorkerStatus;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The scheduler's HTTP endpoints the client uses: artifacts and the worker list. */
final class HttpApi implements ArtifactUploader {
    private static final Logger LOG = LoggerFactory.getLogger(HttpApi.class);
    private final HttpClient http;
    private final io.partita.common.tls.TlsConfig tls;
    private final Optional<String> authHeader;
    /** The scheduler the client is connected to ({@code host:port}): it changes when a standby takes over. */
    private final java.util.function.Supplier<String> scheduler;

    HttpApi(HttpClient http, io.partita.common.tls.TlsConfig tls, java.util.function.Supplier<String> scheduler, Optional<String> authHeader) {
        this.http = http;
        this.tls = tls;
        this.scheduler = scheduler;
        this.authHeader = authHeader;
    }

    private HttpRequest.Builder request(String path) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(tls.httpScheme() + "://" + scheduler.get() + path)).timeout(Duration.ofMinutes(5));
        authHeader.ifPresent(h -> b.header("Authorization", h));
        return b;
    }

    @Override
    public void ensureUploaded(Artifact artifact) {
        String path = "/api/artifacts/" + artifact.sha256();
        retrying("uploading " + artifact.source() + " (sha-256 " + artifact.sha256() + ") to " + scheduler.get(), () -> {
            HttpResponse<String> head = send(request(path).method("HEAD", HttpRequest.BodyPublishers.noBody()).build());
            if (head.statusCode() == 200) {
                return null;
            }
            if (head.statusCode() != 404) {
                throw failure("checking artifact " + artifact.sha256() + " (" + artifact.source() + ")", head);
            }
            HttpResponse<String> post = send(request(path).header("Content-Type", "application/java-archive")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(artifact.bytes().get())).build());
            if (post.statusCode() / 100 != 2) {
                throw failure("uploading " + artifact.source() + " (" + artifact.size() + " bytes, sha-256 "
                        + artifact.sha256() + ")", post);
            }
            return null;
        });
    }

    List<WorkerStatus> workers() {
        HttpResponse<String> r = retrying("listing workers on " + scheduler.get(), () -> send(request("/api/workers").GET().build()));
        if (r.statusCode() != 200) {
            throw failure("listing workers", r);
        }
        try {
            List<WorkerStatus> workers = MessageCodec.json().readValue(r.body(), new TypeReference<List<WorkerStatus>>() {});
            if (workers == null) {
                throw new PartitaException("the scheduler at " + scheduler.get() + " answered the worker list with null");
            }
            return workers;
        } catch (IOException e) {
            throw new PartitaException("undecodable worker list from " + scheduler.get() + ": " + e.getMessage(), e);
        }
    }

    private HttpResponse<String> send(HttpRequest request) throws IOException, InterruptedException {
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    /** Runs an idempotent call, retried when its connection fails ({@link Retry}); an HTTP error is not retried. */
    private <T> T retrying(String what, Retry.Call<T> call) {
        try {
            return Retry.call(what, Retry.Policy.fetches(), LOG, call);
        } catch (IOException e) {
            throw Session.connectFailure(scheduler.get(), tls, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PartitaException("interrupted while " + what, e);
        }
    }

    private PartitaException failure(String what, HttpResponse<String> r) {
        String body = r.body() == null ? "" : r.body().strip();
        if (r.statusCode() == 401) {
            return new PartitaException("unauthenticated: the scheduler at " + scheduler.get() + " refused " + what
                    + (body.isEmpty() ? "" : ": " + body));
        }
        return new PartitaException(what + " failed: HTTP " + r.statusCode() + (body.isEmpty() ? "" : ": " + body));
    }
}
