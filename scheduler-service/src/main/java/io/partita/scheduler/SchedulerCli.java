package io.partita.scheduler;

import io.partita.common.config.ByteSize;
import io.partita.common.config.NetworkOptions;
import io.partita.common.config.PartitaDefaults;
import io.partita.common.config.PartitaVersion;
import io.partita.common.config.Ports;
import io.partita.common.config.TlsOptions;
import io.partita.common.config.TokenOption;
import io.partita.common.config.WebOptions;
import io.partita.common.auth.ClusterToken;
import io.partita.scheduler.config.SchedulerConfig;
import io.partita.scheduler.state.SchedulerLimits;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(footer = PartitaDefaults.FOOTER_SCHEDULER, name = "partita-scheduler", defaultValueProvider = PartitaDefaults.Scheduler.class, mixinStandardHelpOptions = true, versionProvider = PartitaVersion.class,
        description = "Runs the Partita scheduler: client and worker API, dashboard, Flight proxy and a Hazelcast member.")
public final class SchedulerCli implements Callable<Integer> {

    @Mixin
    NetworkOptions network;

    @Option(names = "--port", defaultValue = "" + Ports.SCHEDULER_API, description = "Client and worker API port, HTTP and WebSocket (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--dashboard-port", defaultValue = "" + Ports.SCHEDULER_DASHBOARD, description = "Dashboard, /health and /metrics port (default: ${DEFAULT-VALUE}).")
    int dashboardPort;

    @Option(names = "--flight-port", defaultValue = "" + Ports.SCHEDULER_FLIGHT_PROXY, description = "Arrow Flight proxy port (default: ${DEFAULT-VALUE}).")
    int flightPort;

    @Option(names = "--hazelcast-port", defaultValue = "" + Ports.HAZELCAST, description = "Hazelcast member port, "
            + "for the other schedulers of the cluster only: workers and clients never use it (default: ${DEFAULT-VALUE}).")
    int hazelcastPort;

    @Option(names = "--cluster-name", defaultValue = "partita", description = "Hazelcast cluster name the schedulers of one cluster share (default: ${DEFAULT-VALUE}).")
    String clusterName;

    @Mixin
    TokenOption token;

    @Mixin
    WebOptions web;

    @Mixin
    TlsOptions tls;

    @Option(names = "--cluster-secret-file", paramLabel = "<file>", description = "File whose content seals what the "
            + "schedulers keep in Hazelcast (accepted graphs, jars), so that a Hazelcast member or client that knows only "
            + "the cluster name can neither read nor plant them; the same file on every scheduler of the cluster. "
            + "Required, or the token, when listening off loopback (default: the token).")
    Path clusterSecretFile;

    @Option(names = "--max-message-size", defaultValue = "256MiB", description = "Largest WebSocket message accepted (default: ${DEFAULT-VALUE}).")
    String maxMessageSize;

    @Option(names = "--max-graph-tasks", defaultValue = "2000000", description = "Most tasks one submitted graph may hold (default: ${DEFAULT-VALUE}).")
    int maxGraphTasks;

    @Option(names = "--max-artifact-size", defaultValue = "512MiB", description = "Largest jar that may be uploaded (default: ${DEFAULT-VALUE}).")
    String maxArtifactSize;

    @Option(names = "--max-clients", defaultValue = "1000", description = "Clients connected at once; one more is "
            + "refused with the reason (default: ${DEFAULT-VALUE}).")
    int maxClients;

    @Option(names = "--max-pending-graphs", defaultValue = "1000", description = "Graphs of one client accepted and not "
            + "yet answered (being stored for a standby); past it the next is refused until they are. Partita's client waits "
            + "for answers instead of sending more (default: ${DEFAULT-VALUE}).")
    int maxPendingGraphs;

    @Option(names = "--max-artifact-store", defaultValue = "2GiB", description = "All uploaded jars together: past it, "
            + "the least recently used jars that no live task needs are deleted (clients upload them again when needed); "
            + "a standby keeps a sealed copy of each on its heap (default: ${DEFAULT-VALUE}).")
    String maxArtifactStore;

    @Option(names = "--artifact-dir", description = "Directory for uploaded jars (default: a new temporary directory).")
    Path artifactDir;

    @Option(names = "--allowed-failures", defaultValue = "3", description = "Workers that may die while running a task before it fails with KilledWorker (default: ${DEFAULT-VALUE}).")
    int allowedFailures;

    @Option(names = "--join", split = ",", description = "Hazelcast address (host:port) of a running scheduler to join "
            + "as a standby that takes over if the active one dies; repeatable or comma-separated; a name stands for every address "
            + "it resolves to (a Kubernetes headless Service), and one that does not resolve yet is skipped "
            + "(default: none, this is the first scheduler).")
    List<String> join = new ArrayList<>();

    @Option(names = "--work-stealing", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Let less loaded workers take queued tasks from more loaded ones (default: on; --no-work-stealing turns it off).")
    boolean workStealing;

    @Option(names = "--worker-timeout", defaultValue = "10", paramLabel = "<seconds>", description = "Seconds a registered "
            + "worker may stay silent (it reports its load twice a second) before it is declared lost and its keys are "
            + "recomputed elsewhere (default: ${DEFAULT-VALUE}).")
    int workerTimeoutSeconds;

    /** A configuration the scheduler refuses (for example no cluster secret off loopback): restarting cannot help. */
    static final int EXIT_CONFIGURATION = 2;
    /** The scheduler failed to start or stopped serving: restart it. */
    static final int EXIT_FAILED = 1;

    public static void main(String[] args) {
        CommandLine cli = new CommandLine(new SchedulerCli());
        System.exit(cli.execute(args));
    }

    @Override
    public Integer call() throws Exception {
        SchedulerConfig config;
        try {
            ClusterToken clusterToken = token.token();
            config = new SchedulerConfig(network.host(), port, dashboardPort, flightPort, hazelcastPort, clusterName,
                    clusterToken, ByteSize.parse(maxMessageSize), ByteSize.parse(maxArtifactSize), artifactDir,
                    SchedulerLimits.defaults().withMaxGraphTasks(maxGraphTasks).withAllowedFailures(allowedFailures)
                            .withWorkStealing(workStealing).withMaxClients(maxClients).withMaxPendingGraphs(maxPendingGraphs), join, network.listenAddress(), clusterSecretFile,
                    java.time.Duration.ofSeconds(workerTimeoutSeconds),
                    web.access(clusterToken, java.util.Arrays.asList(network.host(), network.listenAddress())),
                    ByteSize.parse(maxArtifactStore), tls.config());
        } catch (IllegalArgumentException e) {
            System.err.println("partita-scheduler: " + e.getMessage());
            return EXIT_CONFIGURATION;
        }
        SchedulerServer server;
        try {
            server = SchedulerServer.start(config).toCompletionStage().toCompletableFuture().get(120, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            System.err.println("partita-scheduler: cannot start: " + cause.getMessage());
            return cause instanceof IllegalArgumentException ? EXIT_CONFIGURATION : EXIT_FAILED;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        AtomicReference<String> failed = new AtomicReference<>();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> { // also on the way out after a failure
            try {
                server.stop().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
            } catch (Exception e) {
                System.err.println("scheduler did not stop cleanly: " + e.getMessage());
            } finally {
                stopped.countDown();
            }
        }, "partita-scheduler-shutdown"));
        server.failure().onSuccess(why -> {
            failed.set(why);
            stopped.countDown();
        });
        System.out.println(server.readyLine());
        stopped.await();
        if (failed.get() != null) {
            System.err.println("partita-scheduler: stopping, as it cannot go on: " + failed.get());
            return EXIT_FAILED;
        }
        return 0;
    }
}
