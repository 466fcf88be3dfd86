package io.partita.scheduler.server;

import com.hazelcast.map.IMap;
import io.partita.common.codec.MessageCodec;
import io.partita.common.protocol.ClientRequest;
import java.io.ByteArrayOutputStream;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/**
 * The accepted graphs, in a Hazelcast map that every scheduler of the cluster holds (one synchronous backup, on a
 * standby when there is one): what a scheduler taking over replays. The active scheduler writes a graph before it
 * answers GraphAccepted, and removes it once its client has released every key it asked for (or has gone), so the
 * map holds the graphs that are still wanted. Entries are {@code <client id>/<request id>} to the client's
 * SubmitGraph message as it arrived (CBOR), deflated: keys and function ids repeat, so a graph shrinks to a fifth or
 * less, and every scheduler holds every graph for as long as it is wanted.
 *
 * <p>Used on the scheduler's event loop only, except the map's own threads.
 */
final class GraphRegistry {
    /** One accepted graph, for replay: in the order the active scheduler received them. */
    record Entry(String clientId, long requestId, ClientRequest.SubmitGraph request) {}

    private final IMap<String, byte[]> map;
    /** Reused for every graph (a Deflater holds native state that is costly to set up for a small graph). */
    private final Deflater deflater = new Deflater(Deflater.BEST_SPEED); // the graph is on its way to GraphAccepted
    /** Client to wanted key to the graphs that want it, one per occurrence (a client releases one reference each time). */
    private final Map<String, Map<String, ArrayDeque<String>>> wanted = new HashMap<>();
    /** Graph to the references of its client it still holds. */
    private final Map<String, Integer> remaining = new HashMap<>();

    GraphRegistry(IMap<String, byte[]> map) {
        this.map = map;
    }

    /** Writes an accepted graph; completes once it is stored (with its backup). */
    CompletionStage<Void> put(String clientId, long requestId, byte[] submitGraph, List<String> wantedKeys) {
        String id = id(clientId, requestId);
        track(clientId, id, wantedKeys);
        return map.setAsync(id, deflate(deflater, submitGraph));
    }

    /** Whether graph {@code requestId} of {@code clientId} is held (accepted, here or by a scheduler before a failover). */
    boolean holds(String clientId, long requestId) {
        return remaining.containsKey(id(clientId, requestId));
    }

    /** The scheduler refused the graph: it is not kept. */
    void refused(String clientId, long requestId) {
        forget(id(clientId, requestId));
    }

    /** {@code clientId} released one reference to each of {@code keys}: graphs whose keys are all released go. */
    void released(String clientId, List<String> keys) {
        Map<String, ArrayDeque<String>> byKey = wanted.get(clientId);
        if (byKey == null) {
            return;
        }
        for (String key : keys) {
            ArrayDeque<String> graphs = byKey.get(key);
            String graph = graphs == null ? null : graphs.pollFirst();
            if (graphs != null && graphs.isEmpty()) {
                byKey.remove(key);
            }
            if (graph != null && remaining.merge(graph, -1, Integer::sum) <= 0) {
                forget(graph);
            }
        }
    }

    /** {@code clientId} is gone for good: its graphs go. */
    void clientGone(String clientId) {
        Map<String, ArrayDeque<String>> byKey = wanted.remove(clientId);
        if (byKey != null) {
            byKey.values().forEach(graphs -> graphs.forEach(this::forget));
        }
    }

    /**
     * Every stored graph, oldest first (request ids grow per client; across clients the order does not matter, a
     * graph only depends on keys its own client submitted before). Re-tracks them for later releases. Blocking.
     */
    List<Entry> load(long maxMessageBytes) {
        List<Entry> entries = new ArrayList<>();
        map.forEach((id, bytes) -> {
            ClientRequest.SubmitGraph request = MessageCodec.fromCbor(inflate(bytes, maxMessageBytes),
                    ClientRequest.SubmitGraph.class, maxMessageBytes);
            entries.add(new Entry(id.substring(0, id.lastIndexOf('/')), request.requestId(),
                    new ClientRequest.SubmitGraph(request.requestId(), request.graph().sharingStrings())));
        });
        entries.sort(Comparator.comparing(Entry::clientId).thenComparingLong(Entry::requestId));
        entries.forEach(e -> track(e.clientId(), id(e.clientId(), e.requestId()), e.request().graph().wanted()));
        return entries;
    }

    private void track(String clientId, String id, List<String> wantedKeys) {
        Map<String, ArrayDeque<String>> byKey = wanted.computeIfAbsent(clientId, c -> new HashMap<>());
        for (String key : wantedKeys) {
            byKey.computeIfAbsent(key, k -> new ArrayDeque<>(1)).addLast(id); // most keys: one graph
        }
        remaining.put(id, wantedKeys.size());
        if (wantedKeys.isEmpty()) {
            forget(id);
        }
    }

    private void forget(String id) {
        remaining.remove(id);
        map.removeAsync(id);
    }

    static byte[] deflate(Deflater deflater, byte[] bytes) {
        deflater.reset();
        deflater.setInput(bytes);
        deflater.finish();
        ByteArrayOutputStream out = new ByteArrayOutputStream(bytes.length / 4 + 64);
        byte[] chunk = new byte[Math.min(64 << 10, bytes.length + 64)];
        while (!deflater.finished()) {
            out.write(chunk, 0, deflater.deflate(chunk));
        }
        return out.toByteArray();
    }

    static byte[] inflate(byte[] bytes, long maxBytes) {
        Inflater inflater = new Inflater();
        try {
            inflater.setInput(bytes);
            ByteArrayOutputStream out = new ByteArrayOutputStream(bytes.length * 4);
            byte[] chunk = new byte[64 << 10];
            while (!inflater.finished()) {
                int n = inflater.inflate(chunk);
                if (n == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
                    throw new IllegalStateException("a stored graph is truncated");
                }
                out.write(chunk, 0, n);
                if (out.size() > maxBytes) {
                    throw new IllegalStateException("a stored graph inflates beyond " + maxBytes + " bytes");
                }
            }
            return out.toByteArray();
        } catch (DataFormatException e) {
            throw new IllegalStateException("a stored graph is corrupt: " + e.getMessage(), e);
        } finally {
            inflater.end();
        }
    }

    private static String id(String clientId, long requestId) {
        return clientId + "/" + requestId;
    }
}
