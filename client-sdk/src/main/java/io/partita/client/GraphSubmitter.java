package io.partita.client;

import io.partita.client.code.CodeShipper;
import io.partita.common.codec.MessageCodec;
import io.partita.common.protocol.ClientRequest;
import io.partita.common.task.GraphSpec;
import java.lang.ref.Reference;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutionException;

/** Sends the graphs the client builds, each as one SubmitGraph, and hands out the futures of its wanted keys. */
final class GraphSubmitter {
    private final Connection connection;
    private final KeyTable keys;
    private final UpdateHandler updates;
    private final KeyFutures futures;
    private final CodeShipper shipper;
    /** The scheduler's message limit, from its Welcome. */
    private volatile long maxMessageBytes = Long.MAX_VALUE;
    /** Graphs sent and not yet answered that the scheduler accepts (its Welcome); past it, submit waits. */
    private volatile int maxPendingGraphs = 1000;

    GraphSubmitter(Connection connection, KeyTable keys, UpdateHandler updates, KeyFutures futures, CodeShipper shipper) {
        this.shipper = shipper;
        this.connection = connection;
        this.keys = keys;
        this.updates = updates;
        this.futures = futures;
    }

    /**
     * {@link Client#map} sends its tasks in graphs of at most this many (pipelined, in order): a map over millions of
     * items stays under the message limit, and the first tasks start while the rest are still being sent.
     */
    static final int MAP_GRAPH_TASKS = 50_000;

    void maxMessageBytes(long limit) {
        maxMessageBytes = limit;
    }

    void maxPendingGraphs(int limit) {
        maxPendingGraphs = limit;
    }

    /**
     * Sends the graph and returns one future per wanted key at once, without waiting for the scheduler (as Dask
     * does): submissions pipeline. If the scheduler refuses the graph, the futures of the keys it introduced fail
     * with a {@link GraphRejectedException} naming the problem. A graph over the scheduler's message limit is
     * refused here, before it is sent. With as many graphs unanswered as the scheduler takes
     * ({@code --max-pending-graphs}), this waits for an answer first (back-pressure, as a Kafka producer's full
     * buffer), unless called while the client handles an update, which must not wait for the next one.
     */
    <R> List<TaskFuture<R>> submit(GraphBuilder b, List<String> wanted) {
        connection.checkOpen();
        wanted.forEach(b::want);
        GraphSpec graph = b.build();
        long requestId = connection.nextRequestId();
        byte[] bytes = MessageCodec.toCbor(new ClientRequest.SubmitGraph(requestId, graph));
        if (bytes.length > maxMessageBytes) {
            try {
                MessageCodec.checkSize(bytes.length, maxMessageBytes, ClientRequest.SubmitGraph.class);
            } catch (RuntimeException e) {
                throw new GraphRejectedException("graph of " + graph.tasks().size() + " tasks not sent: " + e.getMessage());
            }
        }
        try {
            updates.awaitRoomForGraph(maxPendingGraphs, connection::checkOpen);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PartitaException("interrupted while waiting to submit a graph of " + graph.tasks().size() + " tasks", e);
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
        List<TaskFuture<R>> out = new ArrayList<>(states.size());
        for (KeyState s : states) {
            out.add(futures.of(s));
        }
        try {
            connection.send(bytes).get();
        } catch (ExecutionException | InterruptedException e) {
            updates.forgetGraph(requestId);
            out.forEach(TaskFuture::release);
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
                throw new PartitaException("interrupted while submitting a graph of " + graph.tasks().size() + " tasks", e);
            }
            throw e.getCause() instanceof RuntimeException r ? r : new PartitaException(String.valueOf(e.getCause()), e.getCause());
        } finally {
            Reference.reachabilityFence(b.argumentFutures);
        }
        return out;
    }

    /** One task of {@code fn} on {@code args}, in a graph of its own. */
    <R> TaskFuture<R> submitTask(Object fn, List<Object> args, SubmitOptions options) {
        GraphBuilder b = new GraphBuilder(shipper);
        String key = b.addTask(fn, args, options);
        return this.<R>submit(b, List.of(key)).getFirst();
    }

    /** All of {@code ds} and everything they reach, in one graph, shared nodes once. */
    <R> List<TaskFuture<R>> compute(List<? extends Delayed<R>> ds) {
        GraphBuilder b = new GraphBuilder(shipper);
        List<String> wanted = new ArrayList<>(ds.size());
        for (Delayed<R> d : ds) {
            wanted.add(b.addDelayed(d));
        }
        return submit(b, wanted);
    }

    /** One task of {@code fn} per item, in graphs of at most {@link #MAP_GRAPH_TASKS}, the function serialized once. */
    <A, R> List<TaskFuture<R>> map(Object fn, Collection<? extends A> items, SubmitOptions options) {
        List<TaskFuture<R>> out = new ArrayList<>(items.size());
        GraphBuilder b = new GraphBuilder(shipper);
        List<String> wanted = new ArrayList<>();
        for (A item : items) {
            wanted.add(b.addTask(fn, Collections.singletonList(item), options));
            if (wanted.size() == MAP_GRAPH_TASKS) {
                out.addAll(this.<R>submit(b, wanted));
                b = new GraphBuilder(shipper);
                wanted = new ArrayList<>();
            }
        }
        if (!wanted.isEmpty() || out.isEmpty()) {
            out.addAll(this.<R>submit(b, wanted));
        }
        return out;
    }
}
