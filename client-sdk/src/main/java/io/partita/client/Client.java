package io.partita.client;

import io.partita.client.code.ArtifactUploader;
import io.partita.client.code.CodeShipper;
import io.partita.common.auth.ClusterToken;
import io.partita.common.codec.MessageCodec;
import io.partita.common.codec.ValueCodec;
import io.partita.common.config.Ports;
import io.partita.common.data.Partition;
import io.partita.common.fn.Fn0;
import io.partita.common.fn.Fn1;
import io.partita.common.fn.Fn2;
import io.partita.common.fn.Fn3;
import io.partita.common.fn.FnN;
import io.partita.common.fn.Functions;
import io.partita.common.protocol.ClientRequest;
import io.partita.common.protocol.ClientUpdate;
import io.partita.common.protocol.WorkerAddress;
import io.partita.common.protocol.WorkerStatus;
import io.partita.common.task.GraphSpec;
import io.partita.common.task.Keys;
import java.lang.ref.Reference;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;

/**
 * A connection to a Partita scheduler, in the spirit of Dask's {@code Client}: submit functions (lambdas of
 * {@code Fn0}..{@code FnN}) and graphs of {@link Delayed}s, get {@link TaskFuture}s back, gather their values over
 * Arrow Flight. Thread-safe. Closing it drops every reference this client held on the scheduler.
 *
 * <p>Data can also be put on the workers directly with {@link #scatter}: values, and Arrow tables as
 * {@link Partition}s (build them with {@link #allocator()}). A task may take and return Partitions, e.g. an
 * {@code Fn1<Partition, Partition>}; gathering a Partition hands it to the caller, who must close it.
 *
 * <pre>{@code
 * try (Client client = Client.connect("localhost:8786")) {
 *     List<TaskFuture<Integer>> squares = client.map(x -> x * x, List.of(1, 2, 3));
 *     TaskFuture<Integer> total = client.submit(xs -> xs.stream().mapToInt(Integer::intValue).sum(), squares);
 *     System.out.println(total.result());
 * }
 * }</pre>
 */
public final class Client implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Client.class.getName());
    static final long RELEASE_FLUSH_MILLIS = 5;

    private final String hostPort;
    private final KeyTable keys = new KeyTable();
    /** Graphs sent and not yet accepted: the key states each introduced, to fail if it is refused. */
    private final ConcurrentHashMap<Long, List<KeyState>> pending = new ConcurrentHashMap<>();
    /** Scatter registrations sent and not yet answered. */
    private final ConcurrentHashMap<Long, CompletableFuture<Void>> registrations = new ConcurrentHashMap<>();
    private final AtomicInteger scatterTurn = new AtomicInteger();
    /** Root of all the client's Arrow memory: {@link #data} for the user's tables, a child for Flight's own buffers. */
    private final RootAllocator root = new RootAllocator();
    private final BufferAllocator data = root.newChildAllocator("partita-client-data", 0, Long.MAX_VALUE);
    private final AtomicLong requestIds = new AtomicLong();
    private final ExecutorService pool = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("partita-client-", 0).factory());
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "partita-client-timer");
        t.setDaemon(true);
        return t;
    });
    private final ClassLoader defaultLoader;
    private final CodeShipper shipper;
    private final Gatherer gatherer;
    private final HttpApi httpApi;
    private final HttpClient http;
    private volatile Transport transport;
    private volatile long maxMessageBytes = Long.MAX_VALUE;
    private volatile String flightProxyUri;
    private volatile PartitaException closedBecause;

    private final Object releaseLock = new Object();
    private List<String> releases = new ArrayList<>();
    private boolean releaseScheduled;

    private Client(ClientOptions options, HttpClient http, ArtifactUploader uploader) {
        this.hostPort = options.hostPort();
        this.http = http;
        this.httpApi = http == null ? null : new HttpApi(http, hostPort, token(options).headerValue());
        this.shipper = new CodeShipper(uploader != null ? uploader : httpApi);
        this.gatherer = new Gatherer(options.gatherMode(), token(options), () -> flightProxyUri, pool,
                root.newChildAllocator("partita-client-flight", 0, Long.MAX_VALUE));
        ClassLoader tccl = Thread.currentThread().getContextClassLoader();
        this.defaultLoader = tccl != null ? tccl : Client.class.getClassLoader();
        this.flightProxyUri = "grpc+tcp://" + options.host() + ":" + Ports.SCHEDULER_FLIGHT_PROXY;
    }

    private static ClusterToken token(ClientOptions options) {
        return new ClusterToken(options.token());
    }

    /** Connects to the scheduler at {@code host:port} (8786 by default), with the token from PARTITA_AUTH_TOKEN. */
    public static Client connect(String address) {
        return connect(ClientOptions.of(address));
    }

    /**
     * Connects and waits for the scheduler's Welcome.
     *
     * @throws PartitaException "cannot reach the scheduler ..." when nothing answers, "unauthenticated: ..." when the
     *                          scheduler refuses the token
     */
    public static Client connect(ClientOptions options) {
        HttpClient http = HttpClient.newBuilder().connectTimeout(options.connectTimeout())
                .version(HttpClient.Version.HTTP_1_1).build();
        Client client = new Client(options, http, null);
        try {
            Session session = Session.open(http, client.hostPort, token(options).headerValue(), options.connectTimeout(),
                    client::onUpdate, client::onConnectionLost);
            client.welcomed(session.welcome());
            client.transport = session;
            return client;
        } catch (RuntimeException e) {
            client.closeResources();
            throw e;
        }
    }

    /** A client wired to {@code transport} instead of a scheduler (tests feed updates with {@link #onUpdate}). */
    static Client forTesting(Transport transport, ClientUpdate.Welcome welcome) {
        Client client = new Client(ClientOptions.of("localhost:8786").withToken(null), null, ArtifactUploader.NONE);
        client.welcomed(welcome);
        client.transport = transport;
        return client;
    }

    private void welcomed(ClientUpdate.Welcome w) {
        if (w.maxMessageBytes() > 0) {
            maxMessageBytes = w.maxMessageBytes();
        }
        if (w.flightProxyUri() != null && !w.flightProxyUri().isBlank()) {
            flightProxyUri = w.flightProxyUri();
        }
    }

    // ---------------------------------------------------------------- submission

    public <R> TaskFuture<R> submit(Fn0<R> fn) {
        return submitWith(SubmitOptions.DEFAULTS, fn);
    }

    public <A, R> TaskFuture<R> submit(Fn1<A, R> fn, Object a) {
        return submitWith(SubmitOptions.DEFAULTS, fn, a);
    }

    public <A, B, R> TaskFuture<R> submit(Fn2<A, B, R> fn, Object a, Object b) {
        return submitWith(SubmitOptions.DEFAULTS, fn, a, b);
    }

    public <A, B, C, R> TaskFuture<R> submit(Fn3<A, B, C, R> fn, Object a, Object b, Object c) {
        return submitWith(SubmitOptions.DEFAULTS, fn, a, b, c);
    }

    /** A function of any number of arguments (given to it as a list). */
    public <R> TaskFuture<R> submit(FnN<R> fn, Object... args) {
        return submitWith(SubmitOptions.DEFAULTS, fn, args);
    }

    /**
     * Submits {@code fn} (an {@code Fn0}..{@code FnN}) on {@code args} with options. An argument that is a
     * {@link TaskFuture} or a {@link Delayed} becomes a dependency, as does one inside a {@link List}.
     */
    public <R> TaskFuture<R> submitWith(SubmitOptions options, Object fn, Object... args) {
        GraphBuilder b = new GraphBuilder(shipper);
        String key = b.addTask(fn, Arrays.asList(args), options);
        return this.<R>submitGraph(b, List.of(key)).getFirst();
    }

    /** One task per item, all in one graph message, the function serialized once. */
    public <A, R> List<TaskFuture<R>> map(Fn1<A, R> fn, Collection<? extends A> items) {
        return map(fn, items, SubmitOptions.DEFAULTS);
    }

    /** {@link #map(Fn1, Collection)} with options ({@code key} is ignored; {@code prefix} names the keys). */
    public <A, R> List<TaskFuture<R>> map(Fn1<A, R> fn, Collection<? extends A> items, SubmitOptions options) {
        SubmitOptions o = (options == null ? SubmitOptions.DEFAULTS : options).key(null);
        GraphBuilder b = new GraphBuilder(shipper);
        List<String> wanted = new ArrayList<>(items.size());
        for (A item : items) {
            wanted.add(b.addTask(fn, singleton(item), o));
        }
        return submitGraph(b, wanted);
    }

    private static List<Object> singleton(Object item) {
        return java.util.Collections.singletonList(item);
    }

    /** Submits {@code d} and everything it reaches in one graph. */
    public <R> TaskFuture<R> compute(Delayed<R> d) {
        return compute(List.of(d)).getFirst();
    }

    /** Submits all of {@code ds} and everything they reach in one graph, shared nodes once. */
    public <R> List<TaskFuture<R>> compute(List<? extends Delayed<R>> ds) {
        GraphBuilder b = new GraphBuilder(shipper);
        List<String> wanted = new ArrayList<>(ds.size());
        for (Delayed<R> d : ds) {
            wanted.add(b.addDelayed(d));
        }
        return submitGraph(b, wanted);
    }

    /**
     * Sends the graph and returns one future per wanted key at once, without waiting for the scheduler (as Dask
     * does): submissions pipeline. If the scheduler refuses the graph, the futures of the keys it introduced fail
     * with a {@link GraphRejectedException} naming the problem. A graph over the scheduler's message limit is
     * refused here, before it is sent.
     */
    <R> List<TaskFuture<R>> submitGraph(GraphBuilder b, List<String> wanted) {
        checkOpen();
        wanted.forEach(b::want);
        GraphSpec graph = b.build();
        long requestId = requestIds.incrementAndGet();
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
        pending.put(requestId, introduced);
        List<TaskFuture<R>> futures = new ArrayList<>(states.size());
        for (KeyState s : states) {
            futures.add(new TaskFuture<>(this, s, new ReleaseAction(this, s.key)));
        }
        try {
            transport.send(bytes).get();
        } catch (ExecutionException | InterruptedException e) {
            pending.remove(requestId);
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

    // ---------------------------------------------------------------- scatter

    /**
     * Puts {@code value} on a worker and returns its future, already finished: usable as a task argument like any
     * other future, and held on that worker until released. Synchronous, as Dask's {@code scatter}: returns once the
     * scheduler registered the value. A {@link Partition} goes as an Arrow table (the caller keeps ownership of it:
     * it is not consumed nor closed, close it when done); any other value is serialized as for task arguments.
     * A {@link List} is scattered as one value here only through {@link #scatter(String, Object)}:
     * {@link #scatter(List)} scatters its elements.
     *
     * <p>Scattered data has no lineage: if its worker dies, its futures (and tasks depending on it) fail with a
     * {@code io.partita.LostData} error.
     *
     * @throws PartitaException when no worker is connected, a worker refuses the data, or the scheduler refuses it
     *                          (e.g. the key names another value)
     */
    public <T> TaskFuture<T> scatter(T value) {
        return this.<T>scatterAll(List.of(Keys.newKey("scatter")), java.util.Collections.singletonList(value)).getFirst();
    }

    /** {@link #scatter(Object)} under a key of the caller's choosing (scattering the same value under it again is fine). */
    public <T> TaskFuture<T> scatter(String key, T value) {
        return this.<T>scatterAll(List.of(Keys.requireValid(key)), java.util.Collections.singletonList(value)).getFirst();
    }

    /**
     * Scatters each of {@code values} ({@link #scatter(Object)}), spread round-robin over the workers; one future per
     * value, in order. One DoPut per value; one registration per worker.
     */
    public <T> List<TaskFuture<T>> scatter(List<? extends T> values) {
        List<String> ks = new ArrayList<>(values.size());
        for (int i = 0; i < values.size(); i++) {
            ks.add(Keys.newKey("scatter"));
        }
        return scatterAll(ks, values);
    }

    private <T> List<TaskFuture<T>> scatterAll(List<String> scatterKeys, List<? extends T> values) {
        checkOpen();
        if (values.isEmpty()) {
            return List.of();
        }
        List<WorkerStatus> workers = new ArrayList<>(workers());
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
        Map<WorkerStatus, CompletableFuture<Void>> replies = new LinkedHashMap<>();
        for (var e : byWorker.entrySet()) {
            long requestId = requestIds.incrementAndGet();
            CompletableFuture<Void> reply = new CompletableFuture<>();
            registrations.put(requestId, reply);
            replies.put(e.getKey(), reply);
            List<ClientRequest.ScatteredKey> ks = e.getValue().stream().map(i -> registered[i]).toList();
            transport.send(MessageCodec.toCbor(new ClientRequest.RegisterScattered(requestId, e.getKey().info().workerId(), ks)))
                    .whenComplete((v, err) -> {
                        if (err != null) {
                            registrations.remove(requestId);
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
                    s.finished(List.of(w.info().address()), registered[i].type());
                    futures.set(i, new TaskFuture<>(this, s, new ReleaseAction(this, s.key)));
                }
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                problems.add("interrupted while waiting for the scheduler");
            } catch (ExecutionException ex) {
                Throwable cause = ex.getCause();
                problems.add("worker " + w.info().name() + " (" + w.info().workerId() + "): "
                        + (cause instanceof GraphRejectedException ? cause.getMessage() : String.valueOf(cause)));
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
            return new ClientRequest.ScatteredKey(key, bytes, KeyState.TABLE_TYPE);
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

    /**
     * The allocator to build {@link Partition}s to scatter with (or use {@code ArrowMemory.allocator()}); gathered
     * Partitions live here too. Closed with the client: close every Partition built or gathered here first (what is
     * still open at {@link #close()} is reported in the log and left to the garbage collector).
     */
    public BufferAllocator allocator() {
        return data;
    }

    /** Bytes of Arrow memory the client holds now (user tables and Flight buffers). */
    long outstandingBytes() {
        return root.getAllocatedMemory();
    }

    // ---------------------------------------------------------------- results

    /**
     * Waits for every future and returns their values in order, fetching values with one Flight call per holder
     * worker. A value that is an Arrow table comes back as a {@link Partition} in {@link #allocator()}, one DoGet per
     * key: it belongs to the caller, who must close it (a key listed twice gives the same Partition twice).
     */
    public <R> List<R> gather(Collection<? extends TaskFuture<R>> futures) {
        List<TaskFuture<R>> list = List.copyOf(futures);
        try {
            for (TaskFuture<R> f : list) {
                f.keyState().done.join();
            }
            Map<String, List<WorkerAddress>> holders = new LinkedHashMap<>();
            Map<String, List<WorkerAddress>> tables = new LinkedHashMap<>();
            for (TaskFuture<R> f : list) {
                KeyState s = f.keyState();
                switch (s.status()) {
                    case FINISHED -> (s.isTable() ? tables : holders).put(s.key, s.holders());
                    case CANCELLED -> throw new CancellationException("task " + s.key + " was cancelled");
                    default -> throw new TaskFailedException(s.key, s.error());
                }
            }
            Map<String, byte[]> values = holders.isEmpty() ? Map.of() : gatherer.fetch(holders);
            ClassLoader loader = loader();
            Map<String, Object> decoded = new HashMap<>();
            try {
                for (var e : tables.entrySet()) {
                    decoded.put(e.getKey(), gatherer.fetchTable(e.getKey(), e.getValue(), data));
                }
            } catch (RuntimeException e) {
                decoded.values().forEach(p -> ((Partition) p).close());
                throw e;
            }
            List<R> out = new ArrayList<>(list.size());
            for (TaskFuture<R> f : list) {
                String k = f.key();
                Object v;
                if (decoded.containsKey(k)) {
                    v = decoded.get(k);
                } else {
                    try {
                        v = decode(k, values.get(k), loader);
                    } catch (RuntimeException e) {
                        tables.keySet().forEach(t -> ((Partition) decoded.get(t)).close()); // not handed over
                        throw e;
                    }
                    decoded.put(k, v);
                }
                @SuppressWarnings("unchecked")
                R r = (R) v;
                out.add(r);
            }
            return out;
        } finally {
            Reference.reachabilityFence(list);
        }
    }

    /** Varargs form of {@link #gather(Collection)}. */
    @SafeVarargs
    public final <R> List<R> gather(TaskFuture<R>... futures) {
        return gather(Arrays.asList(futures));
    }

    <R> R fetchOne(TaskFuture<R> f) {
        return gather(List.of(f)).getFirst();
    }

    private Object decode(String key, byte[] bytes, ClassLoader loader) {
        try {
            return ValueCodec.decode(bytes, loader);
        } catch (RuntimeException e) {
            throw new PartitaException("the value of " + key + " cannot be read here: " + e.getMessage(), e);
        }
    }

    private ClassLoader loader() {
        ClassLoader tccl = Thread.currentThread().getContextClassLoader();
        return tccl != null ? tccl : defaultLoader;
    }

    // ---------------------------------------------------------------- cancel, release, workers

    /** Cancels these tasks (and what only they need); their futures fail with a CancellationException. */
    public int cancel(TaskFuture<?>... futures) {
        return cancel(Arrays.asList(futures));
    }

    /** Returns how many of the futures were still pending (and are now cancelled). */
    public int cancel(Collection<? extends TaskFuture<?>> futures) {
        checkOpen();
        List<String> ks = new ArrayList<>(futures.size());
        int cancelled = 0;
        for (TaskFuture<?> f : futures) {
            ks.add(f.key());
            if (f.keyState().failed(TaskStatus.CANCELLED, new CancellationException("task " + f.key() + " was cancelled"))) {
                cancelled++;
            }
        }
        transport.send(MessageCodec.toCbor(new ClientRequest.CancelKeys(requestIds.incrementAndGet(), ks)));
        return cancelled;
    }

    /** The workers of the cluster and their load ({@code GET /api/workers}). */
    public List<WorkerStatus> workers() {
        if (httpApi == null) {
            throw new PartitaException("no HTTP API in this client");
        }
        return httpApi.workers();
    }

    /** Keys this client holds futures for (distinct). */
    int heldKeys() {
        return keys.size();
    }

    KeyTable keyTable() {
        return keys;
    }

    ExecutorService pool() {
        return pool;
    }

    /** The cleaning action of a future: it must not reference the future, only the client and the key. */
    private record ReleaseAction(Client client, String key) implements Runnable {
        @Override
        public void run() {
            client.release(key);
        }
    }

    void release(String key) {
        if (closedBecause != null) {
            return;
        }
        keys.release(key);
        synchronized (releaseLock) {
            releases.add(key);
            if (!releaseScheduled) {
                releaseScheduled = true;
                try {
                    timer.schedule(this::flushReleases, RELEASE_FLUSH_MILLIS, TimeUnit.MILLISECONDS);
                } catch (java.util.concurrent.RejectedExecutionException e) {
                    releaseScheduled = false;
                }
            }
        }
    }

    /** Sends the releases gathered so far as one ReleaseKeys. */
    void flushReleases() {
        List<String> batch;
        synchronized (releaseLock) {
            batch = releases;
            releases = new ArrayList<>();
            releaseScheduled = false;
        }
        if (!batch.isEmpty() && closedBecause == null) {
            transport.send(MessageCodec.toCbor(new ClientRequest.ReleaseKeys(batch)));
        }
    }

    // ---------------------------------------------------------------- updates

    /** Handles one update from the scheduler; runs on the WebSocket's thread and does not block. */
    void onUpdate(ClientUpdate update) {
        switch (update) {
            case ClientUpdate.GraphAccepted a -> {
                pending.remove(a.requestId());
                CompletableFuture<Void> r = registrations.remove(a.requestId());
                if (r != null) {
                    r.complete(null);
                }
            }
            case ClientUpdate.RequestFailed f -> {
                List<KeyState> introduced = f.requestId() == 0 ? null : pending.remove(f.requestId());
                CompletableFuture<Void> registration = f.requestId() == 0 ? null : registrations.remove(f.requestId());
                if (registration != null) {
                    registration.completeExceptionally(new GraphRejectedException(f.error()));
                } else if (introduced != null) {
                    GraphRejectedException rejected = new GraphRejectedException(f.error());
                    introduced.forEach(st -> st.failed(TaskStatus.ERROR, rejected));
                } else {
                    LOG.log(System.Logger.Level.WARNING, "the scheduler refused a message: {0}", f.error());
                }
            }
            case ClientUpdate.KeysFinished fin -> {
                for (ClientUpdate.KeyFinished k : fin.keys()) {
                    KeyState s = keys.get(k.key());
                    if (s != null) {
                        s.finished(k.holders(), k.type());
                    }
                }
            }
            case ClientUpdate.KeysErred err -> {
                Map<String, Throwable> byOrigin = new HashMap<>();
                for (ClientUpdate.KeyErred k : err.keys()) {
                    KeyState s = keys.get(k.key());
                    if (s != null) {
                        Throwable t = byOrigin.computeIfAbsent(k.error().originKey() + "\0" + k.error().type(),
                                o -> RemoteErrors.rebuild(k.error(), defaultLoader));
                        s.failed(TaskStatus.ERROR, t);
                    }
                }
            }
            case ClientUpdate.KeysCancelled c -> {
                for (String key : c.keys()) {
                    KeyState s = keys.get(key);
                    if (s != null) {
                        s.failed(TaskStatus.CANCELLED, new CancellationException("task " + key + " was cancelled"
                                + (c.reason() == null || c.reason().isEmpty() ? "" : ": " + c.reason())));
                    }
                }
            }
            case ClientUpdate.WhoHasReply w -> { } // the client does not ask yet
            case ClientUpdate.Welcome w -> welcomed(w);
        }
    }

    private void onConnectionLost(Throwable why) {
        PartitaException e = why instanceof PartitaException p ? p : new PartitaException(String.valueOf(why), why);
        closedBecause = e;
        pending.clear();
        failRegistrations(e);
        for (KeyState s : keys.all()) {
            s.failed(TaskStatus.LOST, e);
        }
    }

    private void checkOpen() {
        PartitaException e = closedBecause;
        if (e != null) {
            throw new PartitaException("the client is not connected: " + e.getMessage(), e);
        }
    }

    /** Closes the session (the scheduler drops all this client's references), Flight clients and threads. */
    @Override
    public void close() {
        if (closedBecause == null) {
            closedBecause = new PartitaException("the client was closed");
        }
        Transport t = transport;
        if (t != null) {
            t.close();
        }
        pending.clear();
        failRegistrations(closedBecause);
        for (KeyState s : keys.all()) {
            s.failed(TaskStatus.LOST, closedBecause);
        }
        keys.clear();
        closeResources();
    }

    private void failRegistrations(PartitaException why) {
        for (Long id : List.copyOf(registrations.keySet())) {
            CompletableFuture<Void> r = registrations.remove(id);
            if (r != null) {
                r.completeExceptionally(why);
            }
        }
    }

    private void closeResources() {
        timer.shutdownNow();
        gatherer.close();
        pool.shutdownNow();
        if (http != null) {
            http.shutdownNow();
        }
        closeMemory();
    }

    /** Closes the client's allocators; memory a user still holds is reported, not thrown, and left to the GC. */
    private void closeMemory() {
        long held = data.getAllocatedMemory();
        if (held > 0) {
            LOG.log(System.Logger.Level.WARNING, "Partita client closed while {0} bytes of Arrow memory are still"
                    + " allocated in client.allocator(): Partitions gathered or built there were not closed. Close"
                    + " each Partition you gather or build; this memory is freed only when they are closed.", held);
            return; // closing would throw; the buffers stay valid until their owners close them
        }
        try {
            data.close();
            root.close();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "Partita client closed with {0} bytes of Arrow memory outstanding: {1}",
                    root.getAllocatedMemory(), e.getMessage());
        }
    }

    @Override
    public String toString() {
        return "Client[" + hostPort + ", " + keys.size() + " keys held]";
    }

    static String newKeyFor(Object fn) {
        return Keys.newKey(Functions.nameOf(fn));
    }
}
