package io.partita.scheduler;

import io.partita.common.tls.Tls;
import io.partita.scheduler.config.SchedulerConfig;
import io.partita.scheduler.store.ArtifactStore;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;

/** A running scheduler: start it with {@link #start}, stop it with {@link #close}. */
public final class SchedulerServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SchedulerServer.class);
    private final Vertx vertx;
    private final SchedulerVerticle verticle;
    private final SchedulerConfig config;
    private final String schedulerId;

    private SchedulerServer(Vertx vertx, SchedulerVerticle verticle, SchedulerConfig config, String schedulerId) {
        this.vertx = vertx;
        this.verticle = verticle;
        this.config = config;
        this.schedulerId = schedulerId;
    }

    /** Starts Hazelcast, the Flight proxy, the API and the dashboard; completes when all listen. */
    public static Future<SchedulerServer> start(SchedulerConfig config) {
        String schedulerId = "scheduler-" + UUID.randomUUID().toString().substring(0, 8);
        ArtifactStore artifacts;
        Tls tls;
        try {
            tls = Tls.start(config.tls()); // a missing or bad file: a configuration error (exit 2)
        } catch (IOException e) {
            return Future.failedFuture(new IllegalArgumentException("TLS: " + e.getMessage(), e));
        }
        try {
            Path dir = config.artifactDir() != null ? config.artifactDir() : Files.createTempDirectory("partita-artifacts-");
            artifacts = new ArtifactStore(dir, config.maxArtifactStoreBytes());
        } catch (IOException | UncheckedIOException e) {
            tls.close();
            return Future.failedFuture(e);
        }
        Vertx vertx = Vertx.vertx();
        SchedulerVerticle verticle = new SchedulerVerticle(config, schedulerId, artifacts, tls);
        Promise<SchedulerServer> started = Promise.promise();
        vertx.deployVerticle(verticle).onComplete(r -> {
            if (r.succeeded()) {
                started.complete(new SchedulerServer(vertx, verticle, config, schedulerId));
            } else {
                LOG.error("scheduler failed to start: {}", r.cause().toString());
                tls.close();
                vertx.close().onComplete(v -> started.fail(r.cause()));
            }
        });
        return started.future();
    }

    public String schedulerId() {
        return schedulerId;
    }

    public int port() {
        return verticle.apiPort();
    }

    public int dashboardPort() {
        return verticle.dashboardPort();
    }

    public int flightPort() {
        return verticle.flightPort();
    }

    public String readyLine() {
        return "Partita scheduler ready: client API " + (config.tls().enabled() ? "tls://" : "") + config.host() + ":" + port()
                + ", dashboard " + config.tls().httpUri(config.host(), dashboardPort()) + ", Flight proxy " + verticle.flightUri() + ", Hazelcast "
                + config.host() + ":" + config.hazelcastPort() + " for other schedulers (cluster " + config.clusterName() + ")";
    }

    /**
     * Completes with the reason when this scheduler can no longer serve (its Hazelcast member stopped under it);
     * its process should then stop and be restarted.
     */
    public Future<String> failure() {
        return verticle.failure();
    }

    /** Stops everything (undeploying the verticle closes the servers, Flight and Hazelcast). */
    public Future<Void> stop() {
        return vertx.close().eventually(() -> {
            verticle.tls().close();
            return Future.succeededFuture();
        });
    }

    @Override
    public void close() throws Exception {
        stop().toCompletionStage().toCompletableFuture().get();
    }
}
