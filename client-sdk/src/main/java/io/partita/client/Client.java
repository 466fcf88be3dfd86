package io.partita.client;

import io.partita.client.code.ArtifactUploader;
import io.partita.client.code.CodeShipper;
import io.partita.client.progress.ProgressOutput;
import io.partita.client.progress.TaskProgress;
import io.partita.common.auth.ClusterToken;
import io.partita.common.codec.MessageCodec;
import io.partita.common.config.Ports;
import io.partita.common.config.SchedulerAddresses;
import io.partita.common.data.Partition;
import io.partita.common.flight.FlightJvm;
import io.partita.common.fn.Fn0;
import io.partita.common.fn.Fn1;
import io.partita.common.fn.Fn2;
import io.partita.common.fn.Fn3;
import io.partita.common.fn.FnN;
import io.partita.common.fn.Functions;
import io.partita.common.protocol.ClientRequest;
import io.partita.common.protocol.ClientUpdate;
import io.partita.common.protocol.WorkerStatus;
import io.partita.common.task.Keys;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.arrow.memory.BufferAllocator;

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
    /** How long a client that lost its scheduler keeps trying the schedulers it knows before its futures fail. */
    public static final Duration RECONNECT_TIMEOUT = Duration.ofSeconds(60);
    private static final System.Logger LOG = System.getLogger(Client.class.getName());

    private final String hostPort;
    private final SchedulerAddresses schedulers;
    private final ClientOptions options;
    /** The scheduler this client is connected to ({@code host:port}). */
    private volatile String active;
    /** This client's id at the scheduler (from its Welcome), kept across a failover. */
    private volatile String clientId;
    private volatile boolean closing;
    /** Completes with the transport once connected; a new, pending one while reconnecting (sends wait on it). */
    private volatile CompletableFuture<Transport> connected = new CompletableFuture<>();
    private final KeyTable keys = new KeyTable();
    private final ClientMemory memory = new ClientMemory();
    private final AtomicLong requestIds = new AtomicLong();
    private final ExecutorService pool = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("partita-client-", 0).factory());
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "partita-client-timer");
        t.setDaemon(true);
        return t;
    });
    private final CodeShipper shipper;
    private final Gatherer gatherer;
    private final HttpApi httpApi;
    private final HttpClient http;
    private final UpdateHandler updates;
    private final GraphSubmitter submitter;
    private final Scatterer scatterer;
    private final ResultFetcher results;
    private final ReleaseBatcher releases;
    private volatile Transport transport;
    private volatile String flightProxyUri;
    private volatile PartitaException closedBecause;

    private Client(ClientOptions options, HttpClient http, ArtifactUploader uploader) {
        this.hostPort = options.hostPort();
        this.options = options;
        this.schedulers = SchedulerAddresses.parse(options.address());
        this.active = schedulers.first();
        this.http = http;
        this.httpApi = http == null ? null : new HttpApi(http, () -> active, token(options).headerValue());
        this.shipper = new CodeShipper(uploader != null ? uploader : httpApi);
        this.gatherer = new Gatherer(options.gatherMode(), token(options), () -> flightProxyUri, pool,
                memory.newFlightAllocator());
        ClassLoader tccl = Thread.currentThread().getContextClassLoader();
        ClassLoader defaultLoader = tccl != null ? tccl : Client.class.getClassLoader();
        this.flightProxyUri = "grpc+tcp://" + options.host() + ":" + Ports.SCHEDULER_FLIGHT_PROXY;
        this.updates = new UpdateHandler(keys, defaultLoader, this::welcomed);
        this.submitter = new GraphSubmitter(this, keys, updates);
        this.scatterer = new Scatterer(this, hostPort, keys, gatherer, pool, updates);
        this.results = new ResultFetcher(gatherer, memory.data(), defaultLoader);
        this.releases = new ReleaseBatcher(this, keys, timer);
    }

    private static ClusterToken token(ClientOptions options) {
        return new ClusterToken(options.token());
    }

    /**
     * Connects to the scheduler at {@code host:port} (8786 by default), with the token from PARTITA_AUTH_TOKEN.
     * Several schedulers may be given, comma-separated ({@code sched-a:8786,sched-b:8786}), or a name that resolves to
     * all of them: the client talks to the active one, and when it is lost, moves to the standby that takes over
     * (within {@link #RECONNECT_TIMEOUT}) without losing its futures.
     */
    public static Client connect(String address) {
        return connect(ClientOptions.of(address));
    }

    /**
     * Connects and waits for the scheduler's Welcome.
     *
     * @throws PartitaException "cannot reach the scheduler ..." when nothing answers, "unauthenticated: ..." when the
     *                          scheduler refuses the token
     * @throws IllegalStateException when this JVM lacks the flags Arrow Flight needs (the message names them)
     */
    public static Client connect(ClientOptions options) {
        FlightJvm.requireUsable(); // fail here, naming the flags, rather than at the first result
        HttpClient http = io.partita.common.net.InternalHttp.client(options.connectTimeout());
        Client client = new Client(options, http, null);
        try {
            client.connected(client.openAny(System.nanoTime()));
            return client;
        } catch (RuntimeException e) {
            client.closeResources();
            throw e;
        }
    }

    /**
     * Opens a session with the first scheduler that welcomes this client (a standby refuses it), trying them in turn
     * until {@code deadline} (at least one round); resumes under this client's id once it has one. When a standby
     * answered, the active scheduler exists or is taking over: the client keeps trying for the connect timeout at
     * least (behind a load-balanced Service, the next try may reach the active one).
     */
    private Session openAny(long deadline) {
        PartitaException last = null;
        long backoffMs = 100;
        long started = System.nanoTime();
        while (true) {
            for (String address : schedulers.resolve()) {
                try {
                    Session session = Session.open(http, address, token(options).headerValue(), options.connectTimeout(),
                            clientId, this::onUpdate, this::onConnectionLost);
                    active = address;
                    return session;
                } catch (PartitaException e) {
                    if (e.getMessage().startsWith("unauthenticated")) {
                        throw e; // retrying cannot fix a wrong token
                    }
                    if (Session.isStandbyRefusal(e)) {
                        deadline = Math.max(deadline, started + options.connectTimeout().toNanos());
                    }
                    last = e;
                }
            }
            if (closing || System.nanoTime() + backoffMs * 1_000_000 > deadline) {
                throw last;
            }
            try {
                Thread.sleep(backoffMs); // retry back-off, not waiting for an outcome
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new PartitaException("interrupted while reconnecting", e);
            }
            backoffMs = Math.min(backoffMs * 2, 1_000);
        }
    }

    private void connected(Session session) {
        welcomed(session.welcome());
        transport = session;
        connected.complete(session);
    }

    /** A client wired to {@code transport} instead of a scheduler (tests feed updates with {@link #onUpdate}). */
    static Client forTesting(Transport transport, ClientUpdate.Welcome welcome) {
        Client client = new Client(ClientOptions.of("localhost:8786").withToken(null), null, ArtifactUploader.NONE);
        client.welcomed(welcome);
        client.transport = transport;
        client.connected.complete(transport);
        return client;
    }

    private void welcomed(ClientUpdate.Welcome w) {
        clientId = w.clientId();
        if (w.maxMessageBytes() > 0) {
            submitter.maxMessageBytes(w.maxMessageBytes());
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
        return submitter.<R>submit(b, List.of(key)).getFirst();
    }

    /** One task per item, all in one graph message, the function serialized once. */
    public <A, R> List<TaskFuture<R>> map(Fn1<A, R> fn, Collection<? extends A> items) {
        return map(fn, items, SubmitOptions.DEFAULTS);
    }

    /** {@link #map(Fn1, Collection)} with options ({@code key} is ignored; {@code prefix} names the keys). */
    public <A, R> List<TaskFuture<R>> map(Fn1<A, R> fn, Collection<? extends A> items, SubmitOptions options) {
        SubmitOptions o = (options == null ? SubmitOptions.DEFAULTS : options).key(null);
        List<TaskFuture<R>> futures = new ArrayList<>(items.size());
        GraphBuilder b = new GraphBuilder(shipper);
        List<String> wanted = new ArrayList<>();
        for (A item : items) {
            wanted.add(b.addTask(fn, singleton(item), o));
            if (wanted.size() == MAP_GRAPH_TASKS) {
                futures.addAll(submitter.<R>submit(b, wanted));
                b = new GraphBuilder(shipper);
                wanted = new ArrayList<>();
            }
        }
        if (!wanted.isEmpty() || futures.isEmpty()) {
            futures.addAll(submitter.<R>submit(b, wanted));
        }
        return futures;
    }

    /**
     * {@link #map} sends its tasks in graphs of at most this many (pipelined, in order): a map over millions of items
     * stays under the message limit, and the first tasks start while the rest are still being sent.
     */
    static final int MAP_GRAPH_TASKS = 50_000;

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
        return submitter.submit(b, wanted);
    }

    /**
     * {@link #compute(List)}; with {@code progress}, also shows a progress bar over {@code ds} until each has ended
     * ({@link #progress(Collection)}), and returns then.
     */
    public <R> List<TaskFuture<R>> compute(List<? extends Delayed<R>> ds, boolean progress) {
        List<TaskFuture<R>> futures = compute(ds);
        if (progress) {
            progress(futures);
        }
        return futures;
    }

    /** {@link #compute(Delayed)}; with {@code progress}, shows a progress bar until it has ended. */
    public <R> TaskFuture<R> compute(Delayed<R> d, boolean progress) {
        return compute(List.of(d), progress).getFirst();
    }

    // ---------------------------------------------------------------- progress

    /**
     * Waits until every one of {@code futures} has ended (finished, erred, cancelled or lost; a key given twice counts
     * once) while showing a progress bar on standard output when it is a terminal (quiet otherwise): tasks ended of
     * the total, rate, elapsed time and ETA, and how many erred. Like Dask's {@code progress}; it counts these futures,
     * not the tasks they depend on. Fetches nothing.
     */
    public void progress(Collection<? extends TaskFuture<?>> futures) {
        progress(futures, ProgressOutput.auto());
    }

    /** {@link #progress(Collection)} drawn on {@code output} ({@link ProgressOutput#forced} draws on any stream). */
    public void progress(Collection<? extends TaskFuture<?>> futures, ProgressOutput output) {
        java.util.Map<String, KeyState> states = new java.util.LinkedHashMap<>();
        futures.forEach(f -> states.putIfAbsent(f.key(), f.keyState()));
        java.util.concurrent.CountDownLatch all = new java.util.concurrent.CountDownLatch(states.size());
        try (TaskProgress bar = TaskProgress.start("tasks", states.size(), output)) {
            for (KeyState s : states.values()) {
                s.done.whenComplete((v, e) -> {
                    bar.ended(s.status() == TaskStatus.FINISHED);
                    all.countDown();
                });
            }
            all.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PartitaException("interrupted while waiting for " + all.getCount() + " of " + states.size()
                    + " tasks", e);
        } finally {
            java.lang.ref.Reference.reachabilityFence(futures); // a collected future would release its key
        }
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
        return scatterer.<T>scatterAll(List.of(Keys.newKey("scatter")), java.util.Collections.singletonList(value)).getFirst();
    }

    /** {@link #scatter(Object)} under a key of the caller's choosing (scattering the same value under it again is fine). */
    public <T> TaskFuture<T> scatter(String key, T value) {
        return scatterer.<T>scatterAll(List.of(Keys.requireValid(key)), java.util.Collections.singletonList(value)).getFirst();
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
        return scatterer.scatterAll(ks, values);
    }

    /**
     * The allocator to build {@link Partition}s to scatter with (or use {@code ArrowMemory.allocator()}); gathered
     * Partitions live here too. Closed with the client: close every Partition built or gathered here first (what is
     * still open at {@link #close()} is reported in the log and left to the garbage collector).
     */
    public BufferAllocator allocator() {
        return memory.data();
    }

    /** Bytes of Arrow memory the client holds now (user tables and Flight buffers). */
    long outstandingBytes() {
        return memory.allocatedBytes();
    }

    // ---------------------------------------------------------------- results

    /**
     * Waits for every future and returns their values in order, fetching values with one Flight call per holder
     * worker. A value that is an Arrow table comes back as a {@link Partition} in {@link #allocator()}, one DoGet per
     * key: it belongs to the caller, who must close it (a key listed twice gives the same Partition twice).
     */
    public <R> List<R> gather(Collection<? extends TaskFuture<R>> futures) {
        return results.gather(List.copyOf(futures));
    }

    /** Varargs form of {@link #gather(Collection)}. */
    @SafeVarargs
    public final <R> List<R> gather(TaskFuture<R>... futures) {
        return gather(Arrays.asList(futures));
    }

    <R> R fetchOne(TaskFuture<R> f) {
        return gather(List.of(f)).getFirst();
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
        send(new ClientRequest.CancelKeys(nextRequestId(), ks));
        return cancelled;
    }

    /**
     * Retires these workers (names or ids) gracefully, like Dask's {@code retire_workers}: they get no new tasks,
     * the results only they hold are copied to other workers, then they stop (a worker run by a nanny is not
     * restarted). Blocks until they are gone (at most {@code timeout}); returns their ids.
     *
     * @throws RequestRefusedException when a worker is unknown, or when every worker would be retired
     */
    public List<String> retireWorkers(Collection<String> workers, Duration timeout) {
        checkOpen();
        long requestId = nextRequestId();
        CompletableFuture<ClientUpdate> reply = updates.expectReply(requestId);
        send(new ClientRequest.RetireWorkers(requestId, List.copyOf(workers)));
        try {
            return ((ClientUpdate.WorkersRetired) reply.get(timeout.toMillis(), TimeUnit.MILLISECONDS)).workerIds();
        } catch (ExecutionException e) {
            throw e.getCause() instanceof PartitaException p ? p : new PartitaException("retiring " + workers + " failed", e.getCause());
        } catch (TimeoutException e) {
            updates.forgetReply(requestId);
            throw new PartitaException("workers " + workers + " were not retired within " + timeout
                    + " (they may still be handing their keys over)");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PartitaException("interrupted while retiring " + workers);
        }
    }

    /** {@link #retireWorkers(Collection, Duration)} with at most 5 minutes. */
    public List<String> retireWorkers(Collection<String> workers) {
        return retireWorkers(workers, Duration.ofMinutes(5));
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
        releases.release(key);
    }

    /** A new future (one more reference) on {@code s}; released when collected. */
    <R> TaskFuture<R> futureOf(KeyState s) {
        return new TaskFuture<>(this, s, new ReleaseAction(this, s.key));
    }

    long nextRequestId() {
        return requestIds.incrementAndGet();
    }

    CompletableFuture<Void> send(ClientRequest request) {
        return send(MessageCodec.toCbor(request));
    }

    /** Sends on the current connection; while reconnecting, once connected again. */
    CompletableFuture<Void> send(byte[] cborRequest) {
        return connected.thenCompose(t -> t.send(cborRequest));
    }

    // ---------------------------------------------------------------- updates

    /** Handles one update from the scheduler; runs on the WebSocket's thread and does not block. */
    void onUpdate(ClientUpdate update) {
        updates.onUpdate(update);
    }

    /**
     * The scheduler went away: reconnect to whichever scheduler is active (a standby takes over), resuming under the
     * same client id, and send again the graphs it had not accepted yet. Futures fail only if no scheduler takes this
     * client back within {@link #RECONNECT_TIMEOUT}.
     */
    private void onConnectionLost(Throwable why) {
        if (closing || http == null) {
            return;
        }
        PartitaException e = why instanceof PartitaException p ? p : new PartitaException(String.valueOf(why), why);
        CompletableFuture<Transport> waiting = new CompletableFuture<>();
        connected = waiting;
        LOG.log(System.Logger.Level.WARNING, "lost the scheduler at {0} ({1}); reconnecting", active, e.getMessage());
        Thread.ofPlatform().daemon().name("partita-client-reconnect").start(() -> {
            try {
                Session session = openAny(System.nanoTime() + RECONNECT_TIMEOUT.toNanos());
                welcomed(session.welcome());
                transport = session;
                for (byte[] graph : updates.pendingGraphs()) {
                    session.send(graph);
                }
                waiting.complete(session);
                LOG.log(System.Logger.Level.INFO, "reconnected to the scheduler at {0} as {1}", active, clientId);
            } catch (RuntimeException failed) {
                PartitaException gone = new PartitaException(e.getMessage() + "; no scheduler took this client back within "
                        + RECONNECT_TIMEOUT.toSeconds() + " s (" + failed.getMessage() + ")", e);
                closedBecause = gone;
                waiting.completeExceptionally(gone);
                updates.failAll(gone);
            }
        });
    }

    boolean isClosed() {
        return closedBecause != null;
    }

    void checkOpen() {
        PartitaException e = closedBecause;
        if (e != null) {
            throw new PartitaException("the client is not connected: " + e.getMessage(), e);
        }
    }

    /** Closes the session (the scheduler drops all this client's references), Flight clients and threads. */
    @Override
    public void close() {
        closing = true;
        if (closedBecause == null) {
            closedBecause = new PartitaException("the client was closed");
        }
        Transport t = transport;
        if (t != null) {
            t.close();
        }
        updates.failAll(closedBecause);
        keys.clear();
        closeResources();
    }

    private void closeResources() {
        timer.shutdownNow();
        gatherer.close();
        pool.shutdownNow();
        if (http != null) {
            http.shutdownNow();
        }
        memory.close();
    }

    @Override
    public String toString() {
        return "Client[" + hostPort + ", " + keys.size() + " keys held]";
    }
}
