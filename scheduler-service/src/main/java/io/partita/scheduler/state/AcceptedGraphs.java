package io.partita.scheduler.state;

import io.partita.common.protocol.ClientUpdate;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The accepted graphs that a standby could replay, and which of the client's references each still holds: a graph is
 * stored ({@link Instruction.PersistGraph}) once valid, answered ({@code GraphAccepted}) once stored, and removed
 * ({@link Instruction.ForgetGraph}) once its client released every key it asked for, or left. A release takes one
 * reference of the oldest graph that wants the key, as the client counts one reference per occurrence.
 */
final class AcceptedGraphs {
    private static final class Graph {
        final int tasks;
        int remaining;
        boolean persisted;
        /** Released entirely (or its client left) before it was stored: removed once the store reports. */
        boolean forgetWhenPersisted;

        Graph(int tasks, int remaining) {
            this.tasks = tasks;
            this.remaining = remaining;
        }
    }

    private final StateContext ctx;
    /** Client to request id to graph. */
    private final Map<String, Map<Long, Graph>> graphs = new HashMap<>();
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
        graphs.computeIfAbsent(clientId, c -> new HashMap<>()).put(requestId, g);
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
        if (g.forgetWhenPersisted) {
            forget(clientId, requestId);
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
                forget(clientId, requestId);
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
            List.copyOf(own.keySet()).forEach(id -> forget(clientId, id));
        }
    }

    int count() {
        return graphs.values().stream().mapToInt(Map::size).sum();
    }

    private void forget(String clientId, long requestId) {
        Map<Long, Graph> own = graphs.get(clientId);
        Graph g = own.get(requestId);
        if (!g.persisted) {
            g.forgetWhenPersisted = true;
            return;
        }
        own.remove(requestId);
        if (own.isEmpty()) {
            graphs.remove(clientId);
        }
        ctx.out.instruct(new Instruction.ForgetGraph(ctx.stimulus, clientId, requestId));
    }

    private Graph graph(String clientId, long requestId) {
        Map<Long, Graph> own = graphs.get(clientId);
        return own == null ? null : own.get(requestId);
    }
}
