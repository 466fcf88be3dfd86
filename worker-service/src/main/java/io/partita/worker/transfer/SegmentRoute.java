package io.partita.worker.transfer;

import io.partita.common.auth.ClusterToken;
import io.partita.worker.store.ObjectStore;
import io.partita.worker.store.TransferStats;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.util.List;

/**
 * The holder's side of the bulk path ({@link SegmentPuller} is the other): {@code GET /segments?key=K&part=I&parts=N}
 * answers part I of the segment (or spill) file of table K, sent from the file with sendfile, so the bytes never pass
 * through the JVM. The holder decides how many parts a file has (at most N; one below {@link #MIN_PART_BYTES} a
 * part) and says so, with the file's size and the part's offset, in the response headers. The cluster token is
 * required as on every other worker endpoint that serves data, and under mutual TLS a client certificate (the port
 * asks for one and the handshake verifies it; {@code /health} and {@code /metrics} on the same port answer probes
 * and scrapers without). The key stays pinned (not spilled) while a part is
 * sent; a key released meanwhile is still sent whole (an open file outlives its unlinking).
 */
public final class SegmentRoute implements Handler<RoutingContext> {
    public static final String PATH = "/segments";
    static final String SIZE_HEADER = "x-partita-segment-size";
    static final String OFFSET_HEADER = "x-partita-offset";
    static final String PARTS_HEADER = "x-partita-parts";
    /** Files are split into parts of at least this many bytes. */
    static final long MIN_PART_BYTES = 16L << 20;
    static final int MAX_PARTS = 8;
    private static final long PART_ALIGNMENT = 1 << 20;

    private final ObjectStore store;
    private final TransferStats stats;
    private final ClusterToken token;
    private final boolean requireClientCertificate;

    public SegmentRoute(ObjectStore store, ClusterToken token) {
        this(store, token, false);
    }

    /** @param requireClientCertificate mutual TLS: refuse a request whose connection presented no certificate */
    public SegmentRoute(ObjectStore store, ClusterToken token, boolean requireClientCertificate) {
        this.store = store;
        this.stats = store.stats();
        this.token = token;
        this.requireClientCertificate = requireClientCertificate;
    }

    static final String NO_CLIENT_CERTIFICATE = "forbidden: mutual TLS (--tls-client-auth): the bulk path needs a "
            + "client certificate signed by the cluster's CA";

    private static boolean presentedCertificate(io.vertx.core.http.HttpServerRequest request) {
        try {
            return request.isSSL() && !request.connection().peerCertificates().isEmpty(); // verified in the handshake
        } catch (javax.net.ssl.SSLPeerUnverifiedException e) {
            return false;
        }
    }

    /** Offset and length of part {@code part} when a file of {@code size} bytes is split into {@code parts}. */
    record Range(long offset, long length) {
        static Range of(long size, int part, int parts) {
            long partBytes = Math.ceilDiv(Math.ceilDiv(size, parts), PART_ALIGNMENT) * PART_ALIGNMENT;
            long offset = Math.min(size, part * partBytes);
            return new Range(offset, Math.min(partBytes, size - offset));
        }
    }

    /** How many parts a file of {@code size} bytes is sent in when the puller asks for {@code wanted}. */
    static int parts(long size, int wanted) {
        return (int) Math.max(1, Math.min(Math.min(wanted, MAX_PARTS), size / MIN_PART_BYTES));
    }

    @Override
    public void handle(RoutingContext ctx) {
        var request = ctx.request();
        if (!token.accepts(request.getHeader(ClusterToken.HEADER))) {
            ctx.response().setStatusCode(401).end(ClusterToken.UNAUTHENTICATED);
            return;
        }
        if (requireClientCertificate && !presentedCertificate(request)) {
            ctx.response().setStatusCode(403).end(NO_CLIENT_CERTIFICATE);
            return;
        }
        String key = request.getParam("key");
        int part;
        int wanted;
        try {
            part = Integer.parseInt(request.getParam("part", "0"));
            wanted = Integer.parseInt(request.getParam("parts", "1"));
        } catch (NumberFormatException e) {
            ctx.response().setStatusCode(400).end("part and parts must be integers");
            return;
        }
        if (key == null || part < 0 || wanted < 1) {
            ctx.response().setStatusCode(400).end("usage: " + PATH + "?key=K&part=I&parts=N with 0 <= I < N");
            return;
        }
        ObjectStore.TableFile file = store.pinTableFile(key);
        if (file == null) {
            ctx.response().setStatusCode(404).end("this worker holds no table " + key);
            return;
        }
        int parts = parts(file.size(), wanted);
        if (part >= parts) {
            store.unpin(List.of(key));
            ctx.response().setStatusCode(416).end("the table has " + parts + " parts, not " + (part + 1));
            return;
        }
        Range range = Range.of(file.size(), part, parts);
        ctx.response()
                .putHeader("content-type", "application/vnd.apache.arrow.stream")
                .putHeader(SIZE_HEADER, Long.toString(file.size()))
                .putHeader(OFFSET_HEADER, Long.toString(range.offset()))
                .putHeader(PARTS_HEADER, Integer.toString(parts))
                .sendFile(file.file().toString(), range.offset(), range.length())
                .onComplete(sent -> {
                    store.unpin(List.of(key));
                    if (sent.succeeded()) {
                        stats.bulkOut(range.length());
                    }
                });
    }
}
