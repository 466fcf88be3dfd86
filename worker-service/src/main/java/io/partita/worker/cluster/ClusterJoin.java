package io.partita.worker.cluster;

import io.partita.common.auth.ClusterToken;
import io.partita.common.codec.MessageCodec;
import io.partita.common.config.SchedulerAddresses;
import io.partita.common.net.Backoff;
import io.partita.common.net.Causes;
import io.partita.common.net.InternalHttp;
import io.partita.common.protocol.ClusterInfo;
import io.partita.common.tls.Tls;
import io.partita.common.tls.TlsFailures;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Asks the scheduler about its cluster ({@code GET /api/cluster}) before connecting, retrying within a deadline: a
 * wrong token is reported at once (exit code 2), and an unreachable scheduler after the deadline.
 */
public final class ClusterJoin {
    /** /api/cluster answers with a few hundred bytes: anything near this is not a scheduler of ours. */
    private static final int MAX_ANSWER_BYTES = 1 << 20;
    private static final Logger LOG = LoggerFactory.getLogger(ClusterJoin.class);
    /** Pauses between rounds over the schedulers: 100 ms doubling up to 2 s. */
    static final Backoff RETRY = Backoff.exponential(Duration.ofMillis(100), Duration.ofSeconds(2));
    private ClusterJoin() {}

    /**
     * @throws SchedulerUnreachableException when the scheduler did not answer within {@code timeout}
     * @throws IllegalStateException         when it answered with an error (e.g. a wrong token), which retrying cannot fix
     */
    public static ClusterInfo clusterInfo(SchedulerAddresses schedulers, ClusterToken token, Duration timeout)
            throws InterruptedException {
        return clusterInfo(schedulers, token, timeout, Tls.off());
    }

    /**
     * Over {@code https} with TLS on; a handshake that fails for a reason retrying cannot change (a certificate
     * refused either way, no TLS version in common) is reported at once, like a wrong token.
     */
    public static ClusterInfo clusterInfo(SchedulerAddresses schedulers, ClusterToken token, Duration timeout, Tls tls)
            throws InterruptedException {
        Backoff.Attempts attempts = RETRY.withDeadline(timeout).start(System.nanoTime());
        String lastError = "no attempt";
        try (HttpClient http = InternalHttp.client(Duration.ofSeconds(5), tls)) {
            while (true) {
                for (String scheduler : schedulers.resolve()) {
                    HttpRequest.Builder req = HttpRequest.newBuilder(schedulers.httpUri(scheduler, tls.config()).resolve("/api/cluster"))
                            .timeout(Duration.ofSeconds(10)).GET();
                    token.headerValue().ifPresent(v -> req.header("Authorization", v));
                    try {
                        HttpResponse<java.io.InputStream> resp = http.send(req.build(), HttpResponse.BodyHandlers.ofInputStream());
                        String body = InternalHttp.boundedBody(resp.body(), MAX_ANSWER_BYTES);
                        if (resp.statusCode() == 200) {
                            return MessageCodec.fromJson(body, ClusterInfo.class);
                        }
                        if (resp.statusCode() == 401 || resp.statusCode() == 403) {
                            throw new IllegalStateException("the scheduler at " + scheduler
                                    + " refused this worker (HTTP " + resp.statusCode() + "): " + body);
                        }
                        lastError = scheduler + ": HTTP " + resp.statusCode();
                    } catch (IOException e) {
                        java.util.Optional<String> tlsProblem = TlsFailures.explain(e, "the scheduler at " + scheduler);
                        if (tlsProblem.isPresent() && TlsFailures.permanent(e)) {
                            throw new IllegalStateException("TLS: " + tlsProblem.get());
                        }
                        lastError = scheduler + ": " + tlsProblem.orElse(Causes.describe(e));
                        // the connection was made and then dropped without an answer: as a TLS port does to clear text
                        if (!tls.enabled() && !(e instanceof java.net.ConnectException) && !(e instanceof java.net.http.HttpTimeoutException)) {
                            lastError += " (if the scheduler serves TLS, start this worker with --tls-cert, --tls-key and --tls-ca)";
                        }
                    }
                    LOG.warn("asking the scheduler how to join failed, retrying: {}", lastError);
                }
                java.util.Optional<Duration> pause = attempts.next(System.nanoTime());
                if (pause.isEmpty()) {
                    throw new SchedulerUnreachableException("cannot reach a scheduler at " + String.join(", ", schedulers.given())
                            + " within " + timeout.toSeconds() + " s (" + lastError + "): is partita-scheduler running?");
                }
                Thread.sleep(pause.get()); // retry back-off, not waiting for an outcome
            }
        }
    }

    /** The scheduler could not be reached within the deadline. */
    public static final class SchedulerUnreachableException extends RuntimeException {
        public SchedulerUnreachableException(String message) {
            super(message);
        }
    }
}
