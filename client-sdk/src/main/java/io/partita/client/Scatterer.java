package io.partita.client;

import io.partita.common.codec.ValueCodec;
import io.partita.common.data.Partition;
import io.partita.common.protocol.ClientRequest;
import io.partita.common.protocol.ClientUpdate;
import io.partita.common.protocol.WorkerStatus;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * The client's scatter: puts values on the workers with one DoPut each (through the {@link Gatherer}), spread
 * round-robin, then registers them with the scheduler, one RegisterScattered per worker, and waits for its answers.
 */
final class Scatterer {
    private final Connection connection;
    private final KeyFutures futureOf;
    private final Supplier<List<WorkerStatus>> workers;
    private final String hostPort;
    private final KeyTable keys;
    private final Gatherer gatherer;
    private final ExecutorService pool;
    private final UpdateHandler updates;
    private final AtomicInteger scatterTurn = new AtomicInteger();

    /** @param workers the cluster's workers now (asked at each scatter) */
    Scatterer(Connection connection, KeyFutures futureOf, Supplier<List<WorkerStatus>> workers, String hostPort, KeyTable keys,
              Gatherer gatherer, ExecutorService pool, UpdateHandler updates) {
        this.connection = connection;
        this.futureOf = futureOf;
        this.workers = workers;
        this.hostPort = hostPort;
        this.keys = keys;
        this.gatherer = gatherer;
        this.pool = pool;
        this.updates = updates;
    }

    /** Scatters {@code values[i]} as {@code scatterKeys[i]}; one future per value, in order. */
    <T> List<TaskFuture<T>> scatterAll(List<String> scatterKeys, List<? extends T> values) {
        connection.checkOpen();
        if (values.isEmpty()) {
            return List.of();
        }
        List<WorkerStatus> workers = new ArrayList<>(this.workers.get());
        if (workers.isEmpty()) {
            throw new PartitaException("cannot scatter: no worker is connected to the scheduler at " + hostPort);
        }
        workers.sort(java.util.Comparator.comparing(w -> w.info().workerId()));
        int turn = scatterTurn.getAndAdd(values.size());
        // which worker each value goes to, grouped by worker in value order
        Map<WorkerStatus, List<Integer>> byWorker = new LinkedHashMap<>();
        for (int i = 0; i < values.size(); i++) {
            byWorker.computeIfAbsent(workers.get(Math.floorMod(turn + i, workers.size())), w -> new ArrayList<>()).add(i);
        }
        ClientRequest.ScatteredKey[] registered = new ClientRequest.ScatteredKey[values.size()];
        List<CompletableFuture<Void>> puts = new ArrayList<>();
        for (var e : byWorker.entrySet()) {
            String uri = e.getKey().info().flightUri();
            puts.add(CompletableFuture.runAsync(() -> {
                for (int i : e.getValue()) {
                    registered[i] = put(uri, scatterKeys.get(i), values.get(i));
                }
            }, pool));
        }
        join(puts);
        // register per worker; the key states exist first, so the scheduler's KeysFinished finds them
        List<KeyState> states = new ArrayList<>(values.size());
        for (String key : scatterKeys) {
            states.add(keys.acquire(key, List.of()));
        }
        Map<WorkerStatus, CompletableFuture<ClientUpdate>> replies = new LinkedHashMap<>();
        for (var e : byWorker.entrySet()) {
            long requestId = connection.nextRequestId();
            CompletableFuture<ClientUpdate> reply = updates.expectReply(requestId);
            replies.put(e.getKey(), reply);
            List<ClientRequest.ScatteredKey> ks = e.getValue().stream().map(i -> registered[i]).toList();
            connection.send(new ClientRequest.RegisterScattered(requestId, e.getKey().info().workerId(), ks))
                    .whenComplete((v, err) -> {
                        if (err != null) {
                            updates.forgetReply(requestId);
                            reply.completeExceptionally(err);
                        }
                    });
        }
        List<TaskFuture<T>> futures = new ArrayList<>(java.util.Collections.nCopies(values.size(), null));
        List<String> problems = new ArrayList<>();
        for (var e : byWorker.entrySet()) {
            WorkerStatus w = e.getKey();
            try {
                replies.get(w).get();
                for (int i : e.getValue()) {
                    KeyState s = states.get(i);
                    s.finished(List.of(w.info().address()), registered[i].type(), registered[i].nbytes());
                    futures.set(i, futureOf.of(s));
                }
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                problems.add("interrupted while waiting for the scheduler");
            } catch (ExecutionException ex) {
                Throwable cause = ex.getCause();
                problems.add("worker " + w.info().name() + " (" + w.info().workerId() + "): "
                        + (cause instanceof RequestRefusedException ? cause.getMessage() : String.valueOf(cause)));
            }
        }
        if (!problems.isEmpty()) {
            for (int i = 0; i < futures.size(); i++) {
                if (futures.get(i) != null) {
                    futures.get(i).release(); // registered: drop the reference on the scheduler too
                } else {
                    keys.release(scatterKeys.get(i)); // never registered: only the local state
                }
            }
            throw new PartitaException("the scheduler refused scattered data: " + String.join("; ", problems));
        }
        return futures;
    }

    /** Puts one value on the worker at {@code uri}; returns what to register for it. */
    private ClientRequest.ScatteredKey put(String uri, String key, Object value) {
        if (value instanceof Partition p) {
            long bytes = gatherer.putTable(uri, key, p);
            return new ClientRequest.ScatteredKey(key, bytes, Partition.TYPE);
        }
        byte[] bytes = ValueCodec.encode(value);
        gatherer.putValue(uri, key, bytes);
        return new ClientRequest.ScatteredKey(key, bytes.length, ValueCodec.typeName(value));
    }

    private static void join(List<CompletableFuture<Void>> all) {
        try {
            CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).join();
        } catch (java.util.concurrent.CompletionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : e;
        }
    }
}
