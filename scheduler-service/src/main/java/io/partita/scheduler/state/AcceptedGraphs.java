package io.partita.scheduler.state;

import io.partita.common.protocol.ClientUpdate;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The accepted graphs that a standby could replay, and which of the client's references each still holds: a graph is
 * stored ({@link Instruction.PersistGraph}) once valid, answered ({@code GraphAccepted}) once stored, and removed
 * ({@link Instruction.ForgetGraph}) once its client released every key it asked for, or left, and every later graph
 * of that client is gone too: a later graph may take this one's keys as inputs, and a standby could not replay it
 * without them. A release takes one reference of the oldest graph that wants the key, as the client counts one
 * reference per occurrence.
 */
final class AcceptedGraphs {
    private static final class Graph {
        final int tasks;
        int remaining;
        boolean persisted;
        /** Every wanted reference released, or its client left: forgotten once stored and no later graph is held. */
        boolean released;

        Graph(int tasks, int remaining) {
            this.tasks = tasks;
            this.remaining = remaining;
        }
    }

    private final StateContext ctx;
    /** Client to request id (growing per client, so in submission order) to graph. */
    private final Map<String, TreeMap<Long, Graph>> graphs = new HashMap<>();
    /** Client to wanted key to the request ids of the graphs that want it, one per occurrence. */
    private final Map<String, Map<String, ArrayDeque<Long>>> wanted = new HashMap<>();

    AcceptedGraphs(StateContext ctx) {
        this.ctx = ctx;
    }

    boolean holds(String clientId, long requestId) {
        return graph(clientId, requestId) != null;
    }

    int taskCount(String clientId, long requestId) {
        return graph(clientId, requestId).tasks;
    }

    /** A valid graph: stored first (unless {@code stored}, a replayed one), answered once stored. */
    void accepted(String clientId, long requestId, int tasks, List<String> wantedKeys, boolean stored,
                  Instruction.PersistGraph persist) {
        Graph g = new Graph(tasks, wantedKeys.size());
        g.persisted = stored;
        graphs.computeIfAbsent(clientId, c -> new TreeMap<>()).put(requestId, g);
        Map<String, ArrayDeque<Long>> byKey = wanted.computeIfAbsent(clientId, c -> new HashMap<>());
        for (String key : wantedKeys) {
            byKey.computeIfAbsent(key, k -> new ArrayDeque<>(1)).addLast(requestId); // most keys: one graph
        }
        if (!stored) {
            ctx.out.instruct(persist);
        }
    }

    /** The store reported: the client hears GraphAccepted (also when storing failed: the graph runs all the same). */
    void persisted(String clientId, long requestId) {
        Graph g = graph(clientId, requestId);
        if (g == null || g.persisted) {
            return;
        }
        g.persisted = true;
        if (ctx.clients.containsKey(clientId)) {
            ctx.out.toClient(clientId, new ClientUpdate.GraphAccepted(requestId, g.tasks));
        }
        if (g.released) {
            forgetReleasedTail(clientId);
        }
    }

    /** {@code clientId} dropped one reference to {@code key} (or all of them): graphs left with none go. */
    void released(String clientId, String key, boolean all) {
        Map<String, ArrayDeque<Long>> byKey = wanted.get(clientId);
        ArrayDeque<Long> ids = byKey == null ? null : byKey.get(key);
        if (ids == null) {
            return;
        }
        do {
            Long requestId = ids.pollFirst();
            Graph g = requestId == null ? null : graph(clientId, requestId);
            if (g != null && --g.remaining <= 0) {
                g.released = true;
                forgetReleasedTail(clientId);
            }
        } while (all && !ids.isEmpty());
        if (ids.isEmpty()) {
            byKey.remove(key);
        }
    }

    /** {@code clientId} is gone for good: its graphs go. */
    void clientGone(String clientId) {
        wanted.remove(clientId);
        Map<Long, Graph> own = graphs.get(clientId);
        if (own != null) {
            own.values().forEach(g -> g.released = true);
            forgetReleasedTail(clientId);
        }
    }

    /** Graphs of {@code clientId} accepted and not yet stored: not yet answered. */
    int pending(String clientId) {
        Map<Long, Graph> own = graphs.get(clientId);
        return own == null ? 0 : (int) own.values().stream().filter(g -> !g.persisted).count();
    }

    int count() {
        return graphs.values().stream().mapToInt(Map::size).sum();
    }

    /**
     * Forgets {@code clientId}'s released, stored graphs from the newest down to the first that is still held (or
     * not yet stored: its store report resumes this).
     */
    private void forgetReleasedTail(String clientId) {
        TreeMap<Long, Graph> own = graphs.get(clientId);
        while (!own.isEmpty() && own.lastEntry().getValue().released && own.lastEntry().getValue().persisted) {
            long requestId = own.pollLastEntry().getKey();
            ctx.out.instruct(new Instruction.ForgetGraph(ctx.stimulus, clientId, requestId));
        }
        if (own.isEmpty()) {
            graphs.remove(clientId);
        }
    }

    private Graph graph(String clientId, long requestId) {
        Map<Long, Graph> own = graphs.get(clientId);
        return own == null ? null : own.get(requestId);
    }
}
