package io.partita.worker;

import io.partita.common.protocol.WorkerInfo;
import io.partita.common.protocol.WorkerLoad;
import io.partita.common.protocol.WorkerReport;
import io.partita.common.tls.Tls;
import io.partita.worker.cluster.ClusterJoin;
import io.partita.worker.cluster.SchedulerConnection;
import io.partita.worker.code.CodeLoader;
import io.partita.worker.exec.TaskRunner;
import io.partita.worker.table.TableEngine;
import io.partita.worker.http.WorkerHttp;
import io.partita.worker.http.WorkerStatus;
import io.partita.worker.transfer.SegmentRoute;
import io.partita.worker.state.WorkerState;
import io.partita.worker.memory.MemoryMonitor;
import io.partita.worker.metrics.WorkerMetrics;
import io.partita.worker.state.WorkerEvent;
import io.partita.worker.store.ObjectStore;
import io.partita.worker.store.SegmentDirs;
import io.partita.worker.store.TransferStats;
import io.partita.worker.transfer.FlightService;
import io.partita.worker.transfer.PeerFetcher;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running worker: joins the scheduler's cluster, serves Flight and HTTP, keeps the worker WebSocket, and runs
 * tasks. {@link #start} blocks until the worker is registered; {@link #close} stops everything it started, in order.
 */
public final class WorkerServer implements WorkerStatus, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(WorkerServer.class);
    private static final long MAX_MESSAGE_BYTES = 256L << 20;

    private final WorkerConfig config;
    private final String workerId;
    private final WorkerMetrics metrics;
    private final List<AutoCloseable> resources = new java.util.concurrent.CopyOnWriteArrayList<>(); // closed in reverse order
    private final AtomicBoolean closing = new AtomicBoolean();
    private final CompletableFuture<Integer> terminated = new CompletableFuture<>();
    private final CompletableFuture<Void> retired = new CompletableFuture<>();
    /** Set once this worker asked to retire (SIGTERM): the scheduler's Retired then ends {@link #retireAndClose}. */
    private volatile boolean retiring;
    private ObjectStore store;
    private FlightService flight;
    private int httpPort;
    private Vertx vertx;
    private volatile SchedulerConnection scheduler;
    private volatile int exitCode;

    private WorkerServer(WorkerConfig config) {
        this.config = config;
        this.workerId = HostIdentity.workerId(config.name());
        this.metrics = new WorkerMetrics(workerId, config.name());
    }

    /** Starts a worker and returns once the scheduler has registered it. */
    public static WorkerServer start(WorkerConfig config) throws Exception {
        return start(config, server -> { });
    }

    /**
     * Starts a worker; {@code beforeStart} gets it before anything is started, so that a shutdown hook registered
     * there also stops a worker that is still starting (and removes its shared-memory folder).
     */
    public static WorkerServer start(WorkerConfig config, Consumer<WorkerServer> beforeStart) throws Exception {
        WorkerServer server = new WorkerServer(config);
        beforeStart.accept(server);
        try {
            server.doStart();
            return server;
        } catch (Exception | Error e) {
            server.close();
            throw e;
        }
    }

    private void doStart() throws Exception {
        Tls tls = Tls.startOrFail(config.tls()); // a missing or bad file: a configuration error (exit 2)
        own(tls);
        ClusterJoin.clusterInfo(config.schedulers(), config.token(), config.connectTimeout(), tls);
        String hostId = config.hostId() != null && !config.hostId().isBlank() ? config.hostId() : HostIdentity.hostId();
        Path spill;
        if (config.spillDir() != null) {
            spill = config.spillDir();
        } else {
            Path temp = Files.createTempDirectory("partita-worker-");
            own(() -> SegmentDirs.deleteTree(temp));
            spill = temp;
        }
        Path shmRoot = SegmentDirs.resolveRoot(config.shmDir());
        Path segmentDir = SegmentDirs.prepare(shmRoot, workerId, hostId);
        own(() -> SegmentDirs.release(segmentDir));
        Path spillDir = spill.resolve("spill-" + workerId);
        own(() -> SegmentDirs.deleteTree(spillDir));

        BufferAllocator allocator = new RootAllocator();
        own(() -> closeAllocator(allocator));
        TransferStats stats = new TransferStats();
        store = new ObjectStore(allocator, segmentDir, spillDir, stats);
        own(store);
        PeerFetcher fetcher = new PeerFetcher(allocator, store, config.token(), hostId, config.peerTransfer(), tls);
        own(fetcher);
        CodeLoader code = new CodeLoader(() -> config.schedulers().httpUri(
                isRegistered() ? schedulerAddress() : config.schedulers().first(), config.tls()), config.token(),
                spill.resolve("artifacts"), io.partita.common.net.Retry.Policy.fetches(), tls);
        own(code);
        TableEngine tables = new TableEngine(config.nthreads(), config.memoryLimit(), spillDir.resolve("duckdb"));
        own(tables);
        metrics.tableEngine(tables::temporaryBytes);
        ExecutorService taskPool = Executors.newFixedThreadPool(config.nthreads(), named("partita-task-"));
        ExecutorService fetchPool = Executors.newFixedThreadPool(4, named("partita-fetch-"));
        own(() -> shutdown(fetchPool));
        own(() -> shutdown(taskPool));

        vertx = Vertx.vertx();
        own(() -> vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS));
        Context context = vertx.getOrCreateContext();
        WorkerState state = new WorkerState(workerId, config.nthreads());
        Dispatcher dispatcher = new Dispatcher(vertx, context, state, store, new TaskRunner(code, store, allocator, tables),
                fetcher, taskPool, fetchPool, this::send, this::onRetired);
        AtomicLong stimuli = new AtomicLong();
        flight = listening("--flight-port", config.flightPort(), () -> new FlightService(allocator, store, config.host(),
                config.listenHost(), config.flightPort(), config.token(), tls,
                key -> dispatcher.offer(new WorkerEvent.KeysScattered("scatter-" + stimuli.incrementAndGet(), Set.of(key)))));
        own(flight);
        MemoryMonitor monitor = new MemoryMonitor(store, config.memory(), MemoryMonitor::privateResidentBytes,
                paused -> dispatcher.offer(new WorkerEvent.MemoryPaused("memory-" + stimuli.incrementAndGet(), paused)),
                () -> Thread.ofPlatform().name("partita-memory-exit").start(() -> System.exit(MemoryMonitor.EXIT_MEMORY)));
        monitor.tableEngine(tables::memoryBytes, tables::temporaryBytes);
        own(monitor);
        monitor.start();

        httpPort = listening("--http-port", config.httpPort(), () -> await(WorkerHttp.start(vertx, config.listenHost(),
                config.httpPort(), this, new SegmentRoute(store, config.token(), config.tls().clientAuth()), config.web(), tls)));

        WorkerInfo me = new WorkerInfo(workerId, config.name(), config.host(), hostId, flight.uri(), httpPort,
                config.nthreads(), config.memoryLimit(), config.resources(),
                ProcessHandle.current().pid(), segmentDir.toString(), spillDir.toString());
        SchedulerConnection connection = new SchedulerConnection(vertx, context, config.schedulers(), config.token(), tls,
                config.connectTimeout(), MAX_MESSAGE_BYTES, () -> new WorkerReport.RegisterWorker(me, dispatcher.heldKeys()),
                dispatcher::onCommand, () -> {
                    endRetirement();
                    context.runOnContext(v -> dispatcher.schedulerLost());
                }, this::gaveUp);
        scheduler = connection;
        own(connection);
        connection.connect();

        context.runOnContext(v -> {
            // counts are read on the loop; the /proc read runs on a worker thread. The load is the heartbeat too.
            long timer = vertx.setPeriodic(LOAD_PERIOD_MS, id -> {
                int running = dispatcher.running();
                int queued = dispatcher.queued();
                vertx.executeBlocking(() -> {
                    tables.sampleMemory();
                    long now = System.currentTimeMillis();
                    WorkerLoad load = new WorkerLoad(workerId, running, queued, store.size(), store.bytes(),
                            Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory(),
                            HostIdentity.residentBytes(), now, monitor.memoryByTier(),
                            stats.snapshot(), monitor.paused(), processCpuPercent(), STARTED_MILLIS,
                            stats.recentActivity(now - ACTIVITY_OVERLAP_MS));
                    metrics.published(load);
                    if (isRegistered()) {
                        send(new WorkerReport.Load(load));
                    }
                    return null;
                }, false);
            });
            resources.add(() -> vertx.cancelTimer(timer));
        });
    }

    /** How often the load is published: the dashboard shows memory and transfers at most about this late. */
    private static final long LOAD_PERIOD_MS = 500;
    private static final long STARTED_MILLIS = java.lang.management.ManagementFactory.getRuntimeMXBean().getStartTime();
    /** Each load repeats the spans of this long before it, so one lost or coalesced update loses none. */
    private static final long ACTIVITY_OVERLAP_MS = 5_000;

    /** The process's recent CPU use, 100 = one core busy; 0 when the JVM cannot tell. */
    private static double processCpuPercent() {
        if (java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                instanceof com.sun.management.OperatingSystemMXBean os) {
            double load = os.getProcessCpuLoad();
            return load < 0 ? 0 : load * Runtime.getRuntime().availableProcessors() * 100;
        }
        return 0;
    }

    /** How long a stopping worker waits for its keys to move to other workers before it stops anyway. */
    public static final Duration RETIRE_TIMEOUT = Duration.ofSeconds(20);

    private void onRetired() {
        LOG.info("retired: every key this worker held that is still needed is on another worker now; stopping");
        if (retired.complete(null) && !retiring) { // a client retired this worker: stop, and do not be restarted
            exitCode = 0;
            Thread.ofPlatform().name("partita-worker-stop").start(this::close);
        }
    }

    /**
     * Stops gracefully (SIGTERM): asks the scheduler to retire this worker, so that the keys only it holds are copied
     * to other workers, waits for that at most {@code timeout}, then closes.
     */
    public void retireAndClose(Duration timeout) {
        if (isRegistered() && !closing.get()) {
            retiring = true;
            LOG.info("stopping: handing this worker's keys over to other workers first (at most {} s)", timeout.toSeconds());
            send(new WorkerReport.Retiring());
            try {
                retired.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                LOG.warn("retirement did not finish within {} s; stopping anyway (keys only this worker holds are "
                        + "recomputed elsewhere)", timeout.toSeconds());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (java.util.concurrent.ExecutionException e) {
                // not completed exceptionally
            }
        }
        close();
    }

    /** The scheduler connection dropped while retiring: the retirement ends, as nobody can take the keys now. */
    private void endRetirement() {
        if (retiring) {
            retired.complete(null);
        }
    }

    /**
     * No scheduler took this worker back within the connect timeout, or the scheduler told it to restart: it stops
     * with code 1 (its nanny starts a fresh one).
     */
    private void gaveUp(String why) {
        if (closing.get()) {
            return;
        }
        LOG.error("{}: this worker stops (code 1; a nanny starts a fresh one)", why);
        exitCode = 1;
        Thread.ofPlatform().name("partita-worker-stop").start(this::close);
    }

    private void send(WorkerReport report) {
        metrics.reporting(report);
        SchedulerConnection c = scheduler;
        if (c != null) {
            c.send(report);
        }
    }

    /** The address of the scheduler this worker is registered with. */
    public String schedulerAddress() {
        SchedulerConnection c = scheduler;
        return c == null ? "" : c.address();
    }

    @Override
    public String workerId() {
        return workerId;
    }

    public String name() {
        return config.name();
    }

    public String flightUri() {
        return flight.uri();
    }

    public int httpPort() {
        return httpPort;
    }

    @Override
    public boolean isRegistered() {
        SchedulerConnection c = scheduler;
        return c != null && c.isRegistered();
    }

    /** This worker's Prometheus metrics ({@code /metrics}). */
    @Override
    public WorkerMetrics metrics() {
        return metrics;
    }

    @Override
    public ObjectStore store() {
        return store;
    }

    /** Blocks until the worker stops: 0 after {@link #close}, 1 when the scheduler connection was lost. */
    public int awaitTermination() throws InterruptedException {
        try {
            return terminated.get();
        } catch (java.util.concurrent.ExecutionException e) {
            return 1;
        }
    }

    /** Closes the worker's root allocator last, saying whether any Arrow memory was still outstanding (a leak). */
    private static void closeAllocator(BufferAllocator allocator) {
        long outstanding = allocator.getAllocatedMemory();
        if (outstanding == 0) {
            LOG.info("worker stopped with no Arrow memory outstanding");
        } else {
            LOG.error("worker stopped with {} bytes of Arrow memory outstanding (a leak):\n{}", outstanding,
                    allocator.toVerboseString());
        }
        allocator.close();
    }

    /** Registers {@code resource} to be closed by {@link #close}; closes it at once if the worker is stopping already. */
    private void own(AutoCloseable resource) throws Exception {
        resources.add(resource);
        if (closing.get()) {
            resources.remove(resource);
            resource.close();
            throw new IllegalStateException("the worker was stopped while starting");
        }
    }

    @Override
    public void close() {
        if (!closing.compareAndSet(false, true)) {
            try { // another thread is stopping the worker: wait for it, so that a shutdown hook does not end first
                terminated.get(60, TimeUnit.SECONDS);
            } catch (Exception e) {
                // stopped badly or slowly: nothing more to do here
            }
            return;
        }
        retired.complete(null); // a retirement still waiting ends: there is no scheduler to finish it any more
        for (int i = resources.size() - 1; i >= 0; i--) {
            try {
                resources.get(i).close();
            } catch (Exception e) {
                LOG.warn("while stopping: {}", e.toString());
            }
        }
        terminated.complete(exitCode);
    }

    /** Starts a server; a port it cannot bind is a configuration error naming its flag (exit 2, not restarted). */
    private <T> T listening(String flag, int port, java.util.concurrent.Callable<T> start) throws Exception {
        try {
            return start.call();
        } catch (Exception e) {
            if (io.partita.common.net.PortInUse.explain(e, flag, config.listenHost(), port) instanceof IllegalArgumentException bad) {
                throw bad;
            }
            throw e;
        }
    }

    private static <T> T await(Future<T> future) throws Exception {
        return future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    private static void shutdown(ExecutorService pool) throws InterruptedException {
        pool.shutdownNow();
        pool.awaitTermination(5, TimeUnit.SECONDS);
    }

    private static ThreadFactory named(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
