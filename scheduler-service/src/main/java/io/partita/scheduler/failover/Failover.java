package io.partita.scheduler.failover;

import io.partita.scheduler.cluster.HazelcastCluster;
import io.partita.scheduler.failover.FailoverRole.Role;
import io.partita.scheduler.failover.FailoverRole.Step;
import io.partita.scheduler.loop.SchedulerLoop;
import io.partita.scheduler.state.Event;
import io.partita.scheduler.store.ArtifactStore;
import io.partita.scheduler.store.GraphStore;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries out {@link FailoverRole}'s steps: reads the stored graphs and artifacts, replays the graphs into the loop,
 * ticks the role while it waits for workers and clients. Runs on the scheduler loop's context.
 */
public final class Failover {
    private static final Logger LOG = LoggerFactory.getLogger(Failover.class);
    /** A scheduler taking over waits at most this long for the workers to report their keys before placing tasks. */
    public static final long RECOVERY_WAIT_MS = 10_000;
    /** A client of the previous active scheduler that does not come back within this long is released. */
    public static final long CLIENT_RESUME_MS = 120_000;
    private static final long TICK_MS = 50;

    private final Vertx vertx;
    private final SchedulerLoop loop;
    private final HazelcastCluster cluster;
    private final GraphStore graphs;
    private final ArtifactStore artifacts;
    private final long maxMessageBytes;
    private final String schedulerId;
    private final FailoverRole role = new FailoverRole(RECOVERY_WAIT_MS, CLIENT_RESUME_MS);
    private volatile Role current = Role.STANDBY;
    private boolean ticking;
    /** The workers the previous active scheduler had registered: those to wait for (read off the loop, then used on it). */
    private volatile List<String> expected = List.of();

    public Failover(Vertx vertx, SchedulerLoop loop, HazelcastCluster cluster, GraphStore graphs, ArtifactStore artifacts,
                    long maxMessageBytes, String schedulerId) {
        this.vertx = vertx;
        this.loop = loop;
        this.cluster = cluster;
        this.graphs = graphs;
        this.artifacts = artifacts;
        this.maxMessageBytes = maxMessageBytes;
        this.schedulerId = schedulerId;
    }

    /** Read from any thread (/health). */
    public Role role() {
        return current;
    }

    /** At start, and whenever the cluster's members change: becomes active when this is the oldest scheduler. */
    public void membershipChanged() {
        run(role.membershipChanged(cluster.isOldestScheduler(), System.currentTimeMillis()));
    }

    private void run(List<Step> steps) {
        current = role.role();
        for (Step step : steps) {
            switch (step) {
                case Step.LoadGraphs l -> load();
                case Step.StartRecovery s -> { } // the replay was submitted with the graphs
                case Step.BecomeActive a -> {
                    loop.submit(new Event.RecoveryFinished(loop.stimulus("recovered")));
                    expected.stream().filter(id -> !loop.state().hasWorker(id)).forEach(id -> cluster.workers().removeAsync(id));
                    LOG.info("active scheduler {} ({} of {} workers back, {} results found on them, {} ms)", schedulerId,
                            a.back(), a.expected(), loop.state().recoveredCount(), a.tookMillis());
                }
                case Step.ReleaseClient r -> {
                    LOG.info("client {} of the previous scheduler did not come back: releasing its keys", r.clientId());
                    loop.submit(new Event.ClientDisconnected(loop.stimulus("client-gone"), r.clientId()));
                }
            }
        }
        if (role.waiting() && !ticking) {
            ticking = true;
            vertx.setTimer(TICK_MS, id -> {
                ticking = false;
                run(role.tick(loop.state()::hasWorker, loop::hasClient, System.currentTimeMillis()));
            });
        }
    }

    /** Reads the artifacts and graphs (blocking, off the loop), then replays the graphs. */
    private void load() {
        vertx.executeBlocking(() -> {
            cluster.artifacts().forEachVerified((sha, body) -> {
                if (!artifacts.contains(sha)) {
                    String problem = artifacts.store(sha, body);
                    if (problem != null) {
                        LOG.warn("not keeping the stored jar {}: {}", sha, problem);
                    }
                }
            });
            List<String> workers = new ArrayList<>();
            cluster.workers().forEachVerified((id, name) -> workers.add(id));
            expected = workers;
            return graphs.load(maxMessageBytes);
        }).onComplete(r -> {
            List<GraphStore.Entry> entries = r.succeeded() ? r.result() : List.of();
            if (r.failed()) {
                LOG.error("cannot read the accepted graphs from Hazelcast; starting without them", r.cause());
            }
            List<String> workers = expected;
            loop.submit(new Event.RecoveryStarted(loop.stimulus("recover")));
            Set<String> clients = new LinkedHashSet<>();
            for (GraphStore.Entry g : entries) {
                clients.add(g.clientId());
                loop.submit(new Event.GraphReplayed(loop.stimulus("replay"), g.clientId(), g.requestId(), g.request().graph()));
            }
            if (!entries.isEmpty() || !workers.isEmpty()) {
                LOG.info("taking over as the active scheduler: {} accepted graphs of {} clients replayed; waiting for {} workers",
                        entries.size(), clients.size(), workers.size());
            }
            run(role.graphsLoaded(workers, clients, System.currentTimeMillis()));
            run(role.tick(loop.state()::hasWorker, loop::hasClient, System.currentTimeMillis())); // none to wait for?
        });
    }
}
