package io.partita.scheduler.store;

import io.partita.common.codec.MessageCodec;
import io.partita.common.protocol.ClientRequest;
import io.partita.scheduler.cluster.SealedMap;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The accepted graphs, in a Hazelcast map that every scheduler of the cluster holds (one synchronous backup, on a
 * standby when there is one): what a scheduler taking over replays. Which graphs to store and when to remove them is
 * the state's decision ({@code PersistGraph} and {@code ForgetGraph} instructions); this class only writes and reads.
 * Entries are {@code <client id>/<request id>} to the client's SubmitGraph message as it arrived (CBOR), deflated
 * (keys and function ids repeat, so a graph shrinks to a fifth or less), then sealed: a standby replays only the
 * graphs a scheduler of this cluster wrote, never one planted through Hazelcast's open port.
 *
 * <p>Used on the scheduler's event loop only, except the map's own threads.
 */
public final class GraphStore {
    private static final Logger LOG = LoggerFactory.getLogger(GraphStore.class);

    /** One accepted graph, for replay: in the order the active scheduler received them. */
    public record Entry(String clientId, long requestId, ClientRequest.SubmitGraph request) {}

    private final SealedMap map;
    /** Reused for every graph (a Deflater holds native state that is costly to set up for a small graph). */
    private final Deflater deflater = new Deflater(Deflater.BEST_SPEED); // the graph is on its way to GraphAccepted

    public GraphStore(SealedMap map) {
        this.map = map;
    }

    /** Writes an accepted graph; completes once it is stored (with its backup). */
    public CompletionStage<Void> put(String clientId, long requestId, byte[] submitGraph) {
        return map.setAsync(id(clientId, requestId), deflate(deflater, submitGraph));
    }

    public void remove(String clientId, long requestId) {
        map.removeAsync(id(clientId, requestId));
    }

    /**
     * Every stored graph, oldest first (request ids grow per client; across clients the order does not matter, a
     * graph only depends on keys its own client submitted before). Blocking.
     */
    public List<Entry> load(long maxMessageBytes) {
        List<Entry> entries = new ArrayList<>();
        map.forEachVerified((id, bytes) -> {
            try {
                ClientRequest.SubmitGraph request = MessageCodec.fromCbor(inflate(bytes, maxMessageBytes),
                        ClientRequest.SubmitGraph.class, maxMessageBytes);
                entries.add(new Entry(id.substring(0, id.lastIndexOf('/')), request.requestId(),
                        new ClientRequest.SubmitGraph(request.requestId(), request.graph().sharingStrings())));
            } catch (RuntimeException e) { // one bad entry (a graph over today's --max-message-size, say) costs only itself
                LOG.warn("not replaying the stored graph {}: {}", id, e.getMessage());
            }
        });
        entries.sort(Comparator.comparing(Entry::clientId).thenComparingLong(Entry::requestId));
        return entries;
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
