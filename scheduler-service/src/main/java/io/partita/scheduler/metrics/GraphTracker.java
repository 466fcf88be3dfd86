package io.partita.scheduler.metrics;

import io.partita.common.protocol.ClientUpdate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * Follows each submitted graph through what its client is told, to count graphs accepted, refused and finished: a
 * graph is finished once every key it wants has been reported to its client as finished, erred or cancelled. The
 * scheduler's state does not keep graphs (their tasks merge into one table), so this is the one place that does.
 * Costs one map entry per wanted key while its graph is open. Not thread-safe: called on the scheduler's loop.
 */
public final class GraphTracker {
    /** How a finished graph ended: every key in memory, or at least one erred or cancelled (the first one seen). */
    public enum Outcome { MEMORY, ERRED, CANCELLED }

    private static final class Graph {
        final String clientId;
        final long requestId;
        /** The graph's wanted keys, as sent (the list the request already holds; kept to forget a refused graph). */
        final List<String> wanted;
        int outstanding;
        boolean accepted;
        Outcome outcome = Outcome.MEMORY;

        Graph(String clientId, long requestId, List<String> wanted) {
            this.clientId = clientId;
            this.requestId = requestId;
            this.wanted = wanted;
        }
    }

    private record GraphId(String clientId, long requestId) {}

    private final Map<GraphId, Graph> open = new HashMap<>();
    /** Per client, key to the open graph (or List of graphs) waiting for it. */
    private final Map<String, Map<String, Object>> waiting = new HashMap<>();
    private long accepted;
    private long refused;
    private final long[] finished = new long[Outcome.values().length];

    /** A client sent a graph (or a scheduler taking over replays one): it is open until refused or finished. */
    public void submitted(String clientId, long requestId, List<String> wanted) {
        GraphId id = new GraphId(clientId, requestId);
        if (open.containsKey(id)) {
            return; // sent again after a failover: the same graph
        }
        Graph g = new Graph(clientId, requestId, wanted);
        open.put(id, g);
        Map<String, Object> keys = waiting.computeIfAbsent(clientId, c -> new HashMap<>());
        for (String key : new LinkedHashSet<>(wanted)) {
            g.outstanding++;
            keys.merge(key, g, GraphTracker::both);
        }
    }

    /** What the scheduler tells {@code clientId}: acceptance, refusal, and keys ending. */
    public void told(String clientId, ClientUpdate update) {
        switch (update) {
            case ClientUpdate.GraphAccepted a -> {
                Graph g = open.get(new GraphId(clientId, a.requestId()));
                if (g != null && !g.accepted) {
                    g.accepted = true;
                    accepted++;
                    finishIfDone(g);
                }
            }
            case ClientUpdate.RequestFailed f -> {
                Graph g = open.get(new GraphId(clientId, f.requestId()));
                if (g != null && !g.accepted) {
                    refused++;
                    drop(g);
                }
            }
            case ClientUpdate.KeysFinished k -> k.keys().forEach(key -> ended(clientId, key.key(), Outcome.MEMORY));
            case ClientUpdate.KeysErred k -> k.keys().forEach(key -> ended(clientId, key.key(), Outcome.ERRED));
            case ClientUpdate.KeysCancelled k -> k.keys().forEach(key -> ended(clientId, key, Outcome.CANCELLED));
            default -> { }
        }
    }

    /** The client left: its open graphs are dropped, neither finished nor refused. */
    public void clientGone(String clientId) {
        waiting.remove(clientId);
        open.values().removeIf(g -> g.clientId.equals(clientId));
    }

    public long accepted() {
        return accepted;
    }

    public long refused() {
        return refused;
    }

    public long finished(Outcome outcome) {
        return finished[outcome.ordinal()];
    }

    /** Graphs submitted and not yet refused, finished or dropped. */
    public int open() {
        return open.size();
    }

    private void ended(String clientId, String key, Outcome outcome) {
        Map<String, Object> keys = waiting.get(clientId);
        Object graphs = keys == null ? null : keys.remove(key);
        if (graphs instanceof Graph g) {
            settle(g, outcome);
        } else if (graphs != null) {
            @SuppressWarnings("unchecked")
            List<Graph> list = (List<Graph>) graphs;
            list.forEach(g -> settle(g, outcome));
        }
    }

    private void settle(Graph g, Outcome outcome) {
        g.outstanding--;
        if (outcome != Outcome.MEMORY && g.outcome == Outcome.MEMORY) {
            g.outcome = outcome;
        }
        finishIfDone(g);
    }

    private void finishIfDone(Graph g) {
        if (g.accepted && g.outstanding == 0 && open.remove(new GraphId(g.clientId, g.requestId)) != null) {
            finished[g.outcome.ordinal()]++;
        }
    }

    /** Forgets an open graph and its keys' references to it. */
    private void drop(Graph g) {
        open.remove(new GraphId(g.clientId, g.requestId), g);
        Map<String, Object> keys = waiting.get(g.clientId);
        if (keys == null) {
            return;
        }
        for (String key : g.wanted) {
            keys.computeIfPresent(key, (k, v) -> {
                if (v == g) {
                    return null;
                }
                if (v instanceof List<?> list) {
                    list.remove(g);
                    return list.isEmpty() ? null : v;
                }
                return v;
            });
        }
    }

    private static Object both(Object existing, Object added) {
        List<Object> list;
        if (existing instanceof List<?> l) {
            @SuppressWarnings("unchecked")
            List<Object> ok = (List<Object>) l;
            list = ok;
        } else {
            list = new ArrayList<>(2);
            list.add(existing);
        }
        list.add(added);
        return list;
    }
}
