package io.partita.scheduler.failover;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Which part this scheduler plays, free of I/O and of clocks (time is passed in): a standby becomes active when it is
 * the oldest scheduler of the cluster, first reading the accepted graphs (taking over), then waiting at most
 * {@code recoveryWaitMillis} for the cluster's workers to register and report their keys (recovering), then placing
 * tasks (active). Clients whose graphs it replayed have {@code clientResumeMillis} to come back before they are
 * released. Each method returns what to do, as {@link Step}s.
 */
public final class FailoverRole {
    /** Standby: answers only /health and /api/cluster. Recovering: accepts workers and clients, places nothing yet. */
    public enum Role { STANDBY, TAKING_OVER, RECOVERING, ACTIVE }

    public sealed interface Step {
        /** Read the accepted graphs and artifacts from the cluster, then call {@link #graphsLoaded}. */
        record LoadGraphs() implements Step {}

        /** Recovery started: replay the graphs loaded (the state must not place anything yet). */
        record StartRecovery() implements Step {}

        /** Recovery is over: {@code back} of {@code expected} workers registered after {@code tookMillis}. */
        record BecomeActive(long back, int expected, long tookMillis) implements Step {}

        /** A client of the previous scheduler did not come back in time: release its keys. */
        record ReleaseClient(String clientId) implements Step {}
    }

    private final long recoveryWaitMillis;
    private final long clientResumeMillis;
    private Role role = Role.STANDBY;
    private long startedMillis;
    private List<String> expectedWorkers = List.of();
    /** Clients of replayed graphs to their deadline to reconnect. */
    private final Map<String, Long> resumeBy = new LinkedHashMap<>();

    public FailoverRole(long recoveryWaitMillis, long clientResumeMillis) {
        this.recoveryWaitMillis = recoveryWaitMillis;
        this.clientResumeMillis = clientResumeMillis;
    }

    public Role role() {
        return role;
    }

    /** The cluster's membership changed (or the scheduler started): is this scheduler now the oldest one? */
    public List<Step> membershipChanged(boolean oldest, long nowMillis) {
        if (role != Role.STANDBY || !oldest) {
            return List.of();
        }
        role = Role.TAKING_OVER; // stays closed to workers and clients until the graphs are replayed
        startedMillis = nowMillis;
        return List.of(new Step.LoadGraphs());
    }

    /**
     * The graphs were read (or could not be): replay them, wait for {@code workers} (the cluster's workers now),
     * and give {@code clients} (those of the replayed graphs) their time to come back.
     */
    public List<Step> graphsLoaded(List<String> workers, Set<String> clients, long nowMillis) {
        if (role != Role.TAKING_OVER) {
            return List.of();
        }
        role = Role.RECOVERING;
        expectedWorkers = List.copyOf(workers);
        clients.forEach(c -> resumeBy.put(c, nowMillis + clientResumeMillis));
        return List.of(new Step.StartRecovery());
    }

    /**
     * Time passed: recovery ends once every expected worker is back ({@code registered}) or the wait is over;
     * clients past their deadline and not {@code connected} are released.
     */
    public List<Step> tick(Predicate<String> registered, Predicate<String> connected, long nowMillis) {
        List<Step> steps = new ArrayList<>();
        if (role == Role.RECOVERING
                && (expectedWorkers.stream().allMatch(registered) || nowMillis - startedMillis > recoveryWaitMillis)) {
            role = Role.ACTIVE;
            steps.add(new Step.BecomeActive(expectedWorkers.stream().filter(registered).count(), expectedWorkers.size(),
                    nowMillis - startedMillis));
        }
        var it = resumeBy.entrySet().iterator();
        while (it.hasNext()) {
            var e = it.next();
            if (connected.test(e.getKey())) {
                it.remove();
            } else if (nowMillis >= e.getValue()) {
                it.remove();
                steps.add(new Step.ReleaseClient(e.getKey()));
            }
        }
        return steps;
    }

    /** Whether {@link #tick} still has anything to decide. */
    public boolean waiting() {
        return role == Role.RECOVERING || !resumeBy.isEmpty();
    }
}
