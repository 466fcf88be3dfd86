package io.partita.client;

import io.partita.client.code.ArtifactUploader;
import io.partita.client.code.CodeShipper;
import io.partita.client.progress.ProgressOutput;
import io.partita.common.auth.ClusterToken;
import io.partita.common.config.Ports;
import io.partita.common.data.Partition;
import io.partita.common.flight.FlightJvm;
import io.partita.common.fn.Fn0;
import io.partita.common.fn.Fn1;
import io.partita.common.fn.Fn2;
import io.partita.common.fn.Fn3;
import io.partita.common.fn.FnN;
import io.partita.common.protocol.ClientUpdate;
import io.partita.common.protocol.WorkerStatus;
import io.partita.common.task.Keys;
import io.partita.common.tls.Tls;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.Collections;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.stream.Stream;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
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
    public static final Duration RECONNECT_TIMEOUT = Connection.RECONNECT_TIMEOUT;

    private final String hostPort;
    private final KeyTable keys = new KeyTable();
    private final ClientMemory memory = new ClientMemory();
    private final ExecutorService pool = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("partita-client-", 0).factory());
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("partita-client-timer").factory());
    private final HttpClient http;
    private final Tls tls;
    private final UpdateHandler updates;
    private final Connection connection;
    private final HttpApi httpApi;
    private final Gatherer gatherer;
    private final GraphSubmitter submitter;
    private final Scatterer scatterer;
    private final ResultFetcher results;
    private final WorkRequests requests;
    private volatile String flightProxyUri;

    private Client(ClientOptions options, Tls tls, HttpClient http, ArtifactUploader uploader) {
        this.hostPort = options.hostPort();
        this.tls = tls;
        this.http = http;
        ClassLoader tccl = Thread.currentThread().getContextClassLoader();
        ClassLoader defaultLoader = tccl != null ? tccl : Client.class.getClassLoader();
        this.updates = new UpdateHandler(keys, defaultLoader, this::welcomed);
        this.connection = new Connection(options, http, updates, this::welcomed);
        this.httpApi = http == null ? null : new HttpApi(http, tls.config(), connection::active, connection.authHeader());
        CodeShipper shipper = new CodeShipper(uploader != null ? uploader : httpApi);
        this.flightProxyUri = tls.config().flightUri(options.host(), Ports.SCHEDULER_FLIGHT_PROXY);
        this.gatherer = new Gatherer(options.gatherMode(), new ClusterToken(options.token()), () -> flightProxyUri, pool,
                memory.newFlightAllocator(), tls);
        KeyFutures futures = new KeyFutures(this, new ReleaseBatcher(connection, keys, timer));
        this.submitter = new GraphSubmitter(connection, keys, updates, futures, shipper);
        this.scatterer = new Scatterer(connection, futures, this::workers, hostPort, keys, gatherer, pool, updates);
        this.results = new ResultFetcher(gatherer, memory.data(), defaultLoader);
        this.requests = new WorkRequests(connection, updates);
        this.tables = new ClusterTables(this, options.maxBroadcastBytes());
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
        Tls tls;
        try {
            tls = Tls.start(options.tls());
        } catch (java.io.IOException e) {
            throw new PartitaException("TLS: " + e.getMessage(), e);
        }
        HttpClient http = io.partita.common.net.InternalHttp.client(options.connectTimeout(), tls);
        Client client = new Client(options, tls, http, null);
        try {
            client.connection.open();
            return client;
        } catch (RuntimeException e) {
            client.closeResources();
            throw e;
        }
    }

    /** A client wired to {@code transport} instead of a scheduler (tests feed updates with {@link #onUpdate}). */
    static Client forTesting(Transport transport, ClientUpdate.Welcome welcome) {
        Client client = new Client(ClientOptions.of("localhost:8786").withToken(null).withTls(null), Tls.off(), null,
                ArtifactUploader.NONE);
        client.connection.openForTesting(transport, welcome);
        return client;
    }

    private void welcomed(ClientUpdate.Welcome w) {
        if (w.maxMessageBytes() > 0) {
            submitter.maxMessageBytes(w.maxMessageBytes());
        }
        if (w.maxPendingGraphs() > 0) {
            submitter.maxPendingGraphs(w.maxPendingGraphs());
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
        return submitter.submitTask(fn, Arrays.asList(args), options);
    }

    /** One task per item, all in one graph message, the function serialized once. */
    public <A, R> List<TaskFuture<R>> map(Fn1<A, R> fn, Collection<? extends A> items) {
        return map(fn, items, SubmitOptions.DEFAULTS);
    }

    /** {@link #map(Fn1, Collection)} with options ({@code key} is ignored; {@code prefix} names the keys). */
    public <A, R> List<TaskFuture<R>> map(Fn1<A, R> fn, Collection<? extends A> items, SubmitOptions options) {
        return submitter.map(fn, items, (options == null ? SubmitOptions.DEFAULTS : options).key(null));
    }

    /** Submits {@code d} and everything it reaches in one graph. */
    public <R> TaskFuture<R> compute(Delayed<R> d) {
        return compute(List.of(d)).getFirst();
    }

    /** Submits all of {@code ds} and everything they reach in one graph, shared nodes once. */
    public <R> List<TaskFuture<R>> compute(List<? extends Delayed<R>> ds) {
        return submitter.compute(ds);
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
        ProgressWait.await(futures, output);
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
        return scatterer.<T>scatterAll(List.of(Keys.newKey("scatter")), Collections.singletonList(value)).getFirst();
    }

    /** {@link #scatter(Object)} under a key of the caller's choosing (scattering the same value under it again is fine). */
    public <T> TaskFuture<T> scatter(String key, T value) {
        return scatterer.<T>scatterAll(List.of(Keys.requireValid(key)), Collections.singletonList(value)).getFirst();
    }

    /**
     * Scatters each of {@code values} ({@link #scatter(Object)}), spread round-robin over the workers; one future per
     * value, in order. One DoPut per value; one registration per worker.
     */
    public <T> List<TaskFuture<T>> scatter(List<? extends T> values) {
        return scatterer.scatterAll(Stream.generate(() -> Keys.newKey("scatter")).limit(values.size()).toList(), values);
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

    // ---------------------------------------------------------------- cancel, release, workers

    /** Cancels these tasks (and what only they need); their futures fail with a CancellationException. */
    public int cancel(TaskFuture<?>... futures) {
        return cancel(Arrays.asList(futures));
    }

    /** Returns how many of the futures were still pending (and are now cancelled). */
    public int cancel(Collection<? extends TaskFuture<?>> futures) {
        return requests.cancel(futures);
    }

    /**
     * Retires these workers (names or ids) gracefully, like Dask's {@code retire_workers}: they get no new tasks,
     * the results only they hold are copied to other workers, then they stop (a worker run by a nanny is not
     * restarted). Blocks until they are gone (at most {@code timeout}); returns their ids.
     *
     * @throws RequestRefusedException when a worker is unknown, or when every worker would be retired
     */
    public List<String> retireWorkers(Collection<String> workers, Duration timeout) {
        return requests.retire(workers, timeout);
    }

    /** {@link #retireWorkers(Collection, Duration)} with at most 5 minutes. */
    public List<String> retireWorkers(Collection<String> workers) {
        return retireWorkers(workers, Duration.ofMinutes(5));
    }

    private final ClusterTables tables; // one, so that this client's frames can be joined

    /** A lazy table over Parquet files the workers read (a file, folder or glob), in row groups of ~256 MiB a partition. */
    public Frame readParquet(String pathOrGlob) {
        return readParquet(pathOrGlob, io.partita.client.table.plan.Scans.DEFAULT_PARTITION_BYTES);
    }

    /** {@link #readParquet(String)} with partitions of about {@code partitionBytes} (uncompressed) each. */
    public Frame readParquet(String pathOrGlob, long partitionBytes) {
        return Frame.readParquet(tables, pathOrGlob, partitionBytes, allocator());
    }

    /** A lazy table over CSV files the workers read (a file, folder or glob), in byte ranges cut at line ends. */
    public Frame readCsv(String pathOrGlob, CsvOptions options) {
        return Frame.readCsv(tables, pathOrGlob, options, allocator());
    }

    /** A lazy table over Arrow partitions of this client's (one schema), scattered to the workers; you keep them. */
    public Frame fromTables(List<Partition> partitions) {
        return Frame.fromTables(tables, partitions, allocator());
    }

    /** A lazy table over Arrow tables computed by tasks (one schema, read by a tiny task per future); you keep them. */
    public Frame fromFutures(List<? extends TaskFuture<Partition>> futures) {
        return Frame.fromFutures(tables, List.copyOf(futures), TaskFuture::key, allocator());
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

    // ---------------------------------------------------------------- updates

    /** Handles one update from the scheduler; runs on the WebSocket's thread and does not block. */
    void onUpdate(ClientUpdate update) {
        updates.onUpdate(update);
    }

    /** Closes the session (the scheduler drops all this client's references), Flight clients and threads. */
    @Override
    public void close() {
        connection.close();
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
        tls.close();
    }

    @Override
    public String toString() {
        return "Client[" + hostPort + ", " + keys.size() + " keys held]";
    }
}
