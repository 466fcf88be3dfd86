package io.partita.client;

import io.partita.common.codec.MessageCodec;
import io.partita.common.protocol.ClientRequest;
import io.partita.common.task.GraphSpec;
import java.lang.ref.Reference;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;

/** Sends the graphs the client builds, each as one SubmitGraph, and hands out the futures of its wanted keys. */
final class GraphSubmitter {
    private final Client client;
    private final KeyTable keys;
    private final UpdateHandler updates;
    /** The scheduler's message limit, from its Welcome. */
    private volatile long maxMessageBytes = Long.MAX_VALUE;

    GraphSubmitter(Client client, KeyTable keys, UpdateHandler updates) {
        this.client = client;
        this.keys = keys;
        this.updates = updates;
    }

    void maxMessageBytes(long limit) {
        maxMessageBytes = limit;
    }

    /**
     * Sends the graph and returns one future per wanted key at once, without waiting for the scheduler (as Dask
     * does): submissions pipeline. If the scheduler refuses the graph, the futures of the keys it introduced fail
     * with a {@link GraphRejectedException} naming the problem. A graph over the scheduler's message limit is
     * refused here, before it is sent.
     */
    <R> List<TaskFuture<R>> submit(GraphBuilder b, List<String> wanted) {
        client.checkOpen();
        wanted.forEach(b::want);
        GraphSpec graph = b.build();
        long requestId = client.nextRequestId();
        byte[] bytes = MessageCodec.toCbor(new ClientRequest.SubmitGraph(requestId, graph));
        if (bytes.length > maxMessageBytes) {
            try {
                MessageCodec.checkSize(bytes.length, maxMessageBytes, ClientRequest.SubmitGraph.class);
            } catch (RuntimeException e) {
                throw new GraphRejectedException("graph of " + graph.tasks().size() + " tasks not sent: " + e.getMessage());
            }
        }
        List<KeyState> states = new ArrayList<>(wanted.size());
        List<KeyState> introduced = new ArrayList<>();
        for (String key : wanted) {
            KeyState s = keys.acquire(key, b.artifactsOf(key));
            states.add(s);
            if (s.refs == 1) {
                introduced.add(s);
            }
        }
        updates.expectGraph(requestId, introduced, bytes);
        List<TaskFuture<R>> futures = new ArrayList<>(states.size());
        for (KeyState s : states) {
            futures.add(client.futureOf(s));
        }
        try {
            client.send(bytes).get();
        } catch (ExecutionException | InterruptedException e) {
            updates.forgetGraph(requestId);
            futures.forEach(TaskFuture::release);
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
                throw new PartitaException("interrupted while submitting a graph of " + graph.tasks().size() + " tasks", e);
            }
            throw e.getCause() instanceof RuntimeException r ? r : new PartitaException(String.valueOf(e.getCause()), e.getCause());
        } finally {
            Reference.reachabilityFence(b.argumentFutures);
        }
        return futures;
    }
}
