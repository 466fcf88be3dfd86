package io.partita.worker;

import io.partita.common.config.NetworkOptions;
import io.partita.common.config.PartitaDefaults;
import io.partita.common.config.PartitaVersion;
import io.partita.common.config.Ports;
import io.partita.common.config.SchedulerAddresses;
import io.partita.common.config.TlsOptions;
import io.partita.common.config.TokenOption;
import io.partita.common.config.WebOptions;
import io.partita.common.auth.ClusterToken;
import io.partita.common.process.JavaProcess;
import io.partita.worker.cluster.ClusterJoin;
import io.partita.worker.memory.MemoryLimits;
import io.partita.worker.memory.MemoryPolicy;
import io.partita.worker.transfer.PeerTransfer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code partita-worker SCHEDULER_ADDRESS}: by default a nanny ({@link Nanny}) that runs {@code --nworkers} workers
 * in child JVMs and restarts them; with {@code --no-nanny}, one worker in this process.
 */
@Command(footer = PartitaDefaults.FOOTER_WORKER, name = "partita-worker", mixinStandardHelpOptions = true, versionProvider = PartitaVersion.class,
        description = "Starts a Partita worker that joins the scheduler at SCHEDULER_ADDRESS.",
        defaultValueProvider = PartitaDefaults.Worker.class)
public final class WorkerCli implements Callable<Integer> {
    @Parameters(index = "0", arity = "0..1", paramLabel = "SCHEDULER_ADDRESS", defaultValue = "127.0.0.1:8786",
            description = "Scheduler host[:port] (port defaults to 8786; tcp:// or http:// prefixes accepted, https:// or tls:// with the TLS flags); several schedulers "
                    + "comma-separated (the worker registers with the active one and moves to a standby that takes over), or a name "
                    + "that resolves to all of them. Default: ${DEFAULT-VALUE}.")
    String scheduler;

    @Option(names = "--nthreads", description = "Threads that run tasks. Default: the available processors.")
    Integer nthreads;

    @Option(names = "--nworkers", defaultValue = "1", description = "Worker processes to start, each a child JVM of this nanny. Default: ${DEFAULT-VALUE}.")
    int nworkers;

    @Option(names = "--nanny", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Run the workers in child JVMs of this process, which restarts one that exits for memory (code 3) or dies, "
                    + "at most " + Nanny.MAX_RESTARTS + " times in 5 minutes; --no-nanny runs one worker in this process. Default: ${DEFAULT-VALUE}.")
    boolean nanny = true;

    @Option(names = "--memory-limit", defaultValue = "auto", description = "Memory per worker: 'auto' (machine or container memory / nworkers), a fraction of that memory "
            + "such as 0.5, a size such as 4GiB (at least 256MiB), or none (also 0) for no limit. Default: ${DEFAULT-VALUE}.")
    String memoryLimit;

    @Option(names = "--name", description = "Worker name, kept when the nanny restarts the worker; with --nworkers N > 1, NAME-0 to NAME-<N-1>. Default: the hostname and process id.")
    String name;

    @Mixin
    NetworkOptions network;

    @Option(names = "--flight-port", defaultValue = "" + Ports.WORKER_FLIGHT, description = "Arrow Flight port (0 = any free port). Default: ${DEFAULT-VALUE}.")
    int flightPort;

    @Option(names = "--http-port", defaultValue = "" + Ports.WORKER_HTTP, description = "HTTP port for /health, /metrics and /segments (the bulk path that moves tables between workers; 0 = any free port). Default: ${DEFAULT-VALUE}.")
    int httpPort;

    @Option(names = "--memory-target-fraction", defaultValue = "0.6", description = "Spill least recently used results to disk when stored results (heap + segments) exceed this fraction of --memory-limit; 0 = off. Default: ${DEFAULT-VALUE}.")
    double memoryTarget;

    @Option(names = "--memory-spill-fraction", defaultValue = "0.7", description = "Spill when process memory (resident + segments) exceeds this fraction of --memory-limit; 0 = off. Default: ${DEFAULT-VALUE}.")
    double memorySpill;

    @Option(names = "--memory-pause-fraction", defaultValue = "0.8", description = "Start no new tasks while process memory exceeds this fraction of --memory-limit; 0 = off. Default: ${DEFAULT-VALUE}.")
    double memoryPause;

    @Option(names = "--memory-terminate-fraction", defaultValue = "0.95", description = "Exit (code 3) when process memory exceeds this fraction of --memory-limit; 0 = off. Default: ${DEFAULT-VALUE}.")
    double memoryTerminate;

    @Option(names = "--shm-dir", defaultValue = "/dev/shm/partita", description = "Directory for shared-memory segments; each worker uses its own folder in it (a temporary directory when /dev/shm does not exist). Default: ${DEFAULT-VALUE}.")
    Path shmDir;

    @Option(names = "--spill-dir", description = "Directory for spilled values and the artifact cache. Default: a new temporary directory.")
    Path spillDir;

    @Option(names = "--resources", split = ",", description = "Abstract resources this worker offers, e.g. GPU=1,MEM=2.")
    Map<String, Double> resources = new LinkedHashMap<>();

    @Mixin
    TokenOption token;

    @Mixin
    WebOptions web;

    @Mixin
    TlsOptions tls;

    @Option(names = "--host-id", description = "Identity of this machine (workers sharing it share memory). Default: derived from the hostname, /etc/machine-id and the network namespace (see docs/data-plane.md).")
    String hostId;

    @Option(names = "--peer-transfer", defaultValue = "bulk", converter = PeerTransferConverter.class,
            description = "How a table comes from a worker on another host: bulk (the holder's segment file over its "
                    + "HTTP port, sent with sendfile; Flight when that fails) or flight (Arrow Flight DoGet only). Default: ${DEFAULT-VALUE}.")
    PeerTransfer peerTransfer;

    static final class PeerTransferConverter implements CommandLine.ITypeConverter<PeerTransfer> {
        @Override
        public PeerTransfer convert(String value) {
            try {
                return PeerTransfer.valueOf(value.trim().toUpperCase(java.util.Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException("--peer-transfer must be bulk or flight, got '" + value + "'");
            }
        }
    }

    @Option(names = "--connect-timeout", defaultValue = "30", description = "Seconds to keep trying to reach the scheduler. Default: ${DEFAULT-VALUE}.")
    int connectTimeoutSeconds;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    private CommandLine commandLine() {
        return spec != null ? spec.commandLine() : new CommandLine(this);
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new WorkerCli()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        if (nworkers < 1) {
            throw new CommandLine.ParameterException(commandLine(), "--nworkers must be at least 1");
        }
        if (!nanny && nworkers > 1) {
            throw new CommandLine.ParameterException(commandLine(),
                    "--no-nanny runs one worker in this process: drop --no-nanny to run --nworkers " + nworkers);
        }
        return nanny ? runNanny() : runWorker();
    }

    private int runWorker() throws Exception {
        SchedulerAddresses schedulers = schedulerAddresses(scheduler);
        long limit = memoryLimitBytes();
        MemoryPolicy memory;
        try {
            memory = new MemoryPolicy(limit, memoryTarget, memorySpill, memoryPause, memoryTerminate);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(commandLine(), e.getMessage());
        }
        WorkerConfig config;
        try {
            ClusterToken clusterToken = token.token();
            config = new WorkerConfig(schedulers,
                nthreads != null ? nthreads : Runtime.getRuntime().availableProcessors(), limit,
                name != null ? name : HostIdentity.hostname() + "-" + ProcessHandle.current().pid(), network.host(), flightPort,
                httpPort, shmDir, spillDir, resources, clusterToken, hostId,
                Duration.ofSeconds(connectTimeoutSeconds), memory, peerTransfer, network.listenAddress(),
                web.access(clusterToken, java.util.Arrays.asList(network.host(), network.listenAddress())), tls.config());
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(commandLine(), e.getMessage());
        }
        WorkerServer server;
        try {
            // the hook goes in before the start, so that a worker stopped while starting still cleans up
            server = WorkerServer.start(config, starting -> Runtime.getRuntime()
                    .addShutdownHook(new Thread(() -> starting.retireAndClose(WorkerServer.RETIRE_TIMEOUT), "partita-worker-shutdown")));
        } catch (ClusterJoin.SchedulerUnreachableException | IllegalStateException | IllegalArgumentException e) {
            System.err.println("partita-worker: " + e.getMessage());
            return 2;
        }
        Nanny.nannyPid(System.getenv()).ifPresent(pid -> Nanny.watchNanny(pid, Duration.ofSeconds(1), () -> {
            // the nanny is gone (killed with SIGKILL?): a worker must not outlive it
            System.err.println("partita-worker: the nanny (pid " + pid + ") is gone; stopping worker " + server.name());
            Thread.ofPlatform().daemon().name("partita-worker-halt").start(() -> {
                try {
                    Thread.sleep(30_000);
                } catch (InterruptedException e) {
                    return;
                }
                Runtime.getRuntime().halt(1); // the clean stop hung
            });
            System.exit(1);
        }));
        System.out.println("Partita worker " + server.name() + " ready: Flight " + server.flightUri() + ", http "
                + config.tls().httpUri(network.host(), server.httpPort()) + ", scheduler " + server.schedulerAddress());
        int code = server.awaitTermination();
        return code;
    }

    /** Starts the workers as child JVMs, restarts them as {@link Nanny} says, and stops them when this process stops. */
    private int runNanny() throws Exception {
        long limit = memoryLimitBytes();
        try {
            new MemoryPolicy(limit, memoryTarget, memorySpill, memoryPause, memoryTerminate); // bad fractions: exit 2 here, not in each child
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(commandLine(), e.getMessage());
        }
        schedulerAddresses(scheduler);
        try {
            token.token(); // a blank or unreadable token stops here, not in every child
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(commandLine(), e.getMessage());
        }
        tls.config(); // incomplete TLS flags: exit 2 here, not in each child
        String base = name != null ? name : HostIdentity.hostname() + "-" + ProcessHandle.current().pid();
        List<String> jvmFlags = Nanny.memoryFlags(limit, JavaProcess.jvmArguments());
        Map<String, String> env = new LinkedHashMap<>();
        env.put(Nanny.PID_ENV, Long.toString(ProcessHandle.current().pid()));
        env.putAll(token.childEnvironment("PARTITA_WORKER_")); // by environment, so that it does not show in the process list
        List<Nanny.Child> children = new ArrayList<>();
        for (int i = 0; i < nworkers; i++) {
            String childName = nworkers == 1 ? base : base + "-" + i;
            List<String> command = JavaProcess.command(WorkerCli.class.getName(), jvmFlags, childArgs(i, childName, limit));
            children.add(new Nanny.Child(childName, () -> {
                ProcessBuilder builder = new ProcessBuilder(command).inheritIO();
                builder.environment().putAll(env);
                Process p = builder.start();
                System.err.println("partita-worker: nanny (pid " + ProcessHandle.current().pid() + ") started worker "
                        + childName + " (pid " + p.pid() + ")");
                return p;
            }));
        }
        Nanny nannyOfChildren = new Nanny(children);
        Runtime.getRuntime().addShutdownHook(new Thread(nannyOfChildren::stop, "partita-nanny-shutdown"));
        return nannyOfChildren.run();
    }

    /** The arguments of child worker {@code i}: this command's settings, for one worker in its own process. */
    List<String> childArgs(int i, String childName, long limit) {
        List<String> args = new ArrayList<>(List.of(scheduler, "--no-nanny", "--nworkers", "1", "--name", childName,
                "--host", network.host(), "--memory-limit", Long.toString(limit),
                "--flight-port", Integer.toString(flightPort == 0 ? 0 : flightPort + i),
                "--http-port", Integer.toString(httpPort == 0 ? 0 : httpPort + i),
                "--shm-dir", shmDir.toString(), "--connect-timeout", Integer.toString(connectTimeoutSeconds),
                "--memory-target-fraction", Double.toString(memoryTarget),
                "--memory-spill-fraction", Double.toString(memorySpill),
                "--memory-pause-fraction", Double.toString(memoryPause),
                "--memory-terminate-fraction", Double.toString(memoryTerminate),
                "--peer-transfer", peerTransfer.name().toLowerCase(java.util.Locale.ROOT)));
        if (nthreads != null) {
            args.addAll(List.of("--nthreads", nthreads.toString()));
        }
        args.addAll(web.childArgs());
        if (spillDir != null) {
            args.addAll(List.of("--spill-dir", (nworkers == 1 ? spillDir : spillDir.resolve("worker-" + i)).toString()));
        }
        if (hostId != null) {
            args.addAll(List.of("--host-id", hostId));
        }
        if (network.listenAddress() != null) {
            args.addAll(List.of("--listen-address", network.listenAddress()));
        }
        resources.forEach((k, v) -> args.addAll(List.of("--resources", k + "=" + v)));
        args.addAll(tls.args());
        return args;
    }

    private long memoryLimitBytes() {
        try { // the container's limit, else physical memory
            return MemoryLimits.parse(memoryLimit, MemoryLimits.auto(1), nworkers);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(commandLine(), e.getMessage());
        }
    }

    /** Accepts host, host:port, tcp://host:port and http://host:port (https:// and tls:// with the TLS flags). */
    private SchedulerAddresses schedulerAddresses(String addresses) {
        if (SchedulerAddresses.asksForTls(addresses) && !tls.config().enabled()) {
            throw new CommandLine.ParameterException(commandLine(), "SCHEDULER_ADDRESS " + addresses + " asks for TLS: "
                    + "give this worker --tls-cert, --tls-key and --tls-ca (it serves TLS too)");
        }
        try {
            return SchedulerAddresses.parse(addresses);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(commandLine(), "SCHEDULER_ADDRESS: " + e.getMessage());
        }
    }
}
