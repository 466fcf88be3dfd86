package io.partita.scheduler;

import io.partita.common.config.ByteSize;
import io.partita.common.config.NetworkOptions;
import io.partita.common.config.PartitaDefaults;
import io.partita.common.config.PartitaVersion;
import io.partita.common.config.Ports;
import io.partita.common.config.TokenOption;
import io.partita.scheduler.config.SchedulerConfig;
import io.partita.scheduler.state.SchedulerLimits;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
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

    @Option(names = "--hazelcast-port", defaultValue = "" + Ports.HAZELCAST, description = "Hazelcast member port (default: ${DEFAULT-VALUE}).")
    int hazelcastPort;

    @Option(names = "--cluster-name", defaultValue = "partita", description = "Hazelcast cluster name workers join (default: ${DEFAULT-VALUE}).")
    String clusterName;

    @Mixin
    TokenOption token;

    @Option(names = "--max-message-size", defaultValue = "256MiB", description = "Largest WebSocket message accepted (default: ${DEFAULT-VALUE}).")
    String maxMessageSize;

    @Option(names = "--max-graph-tasks", defaultValue = "2000000", description = "Most tasks one submitted graph may hold (default: ${DEFAULT-VALUE}).")
    int maxGraphTasks;

    @Option(names = "--max-artifact-size", defaultValue = "512MiB", description = "Largest jar that may be uploaded (default: ${DEFAULT-VALUE}).")
    String maxArtifactSize;

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

    public static void main(String[] args) {
        CommandLine cli = new CommandLine(new SchedulerCli());
        System.exit(cli.execute(args));
    }

    @Override
    public Integer call() throws Exception {
        SchedulerConfig config = new SchedulerConfig(network.host(), port, dashboardPort, flightPort, hazelcastPort, clusterName,
                token.token(), ByteSize.parse(maxMessageSize), ByteSize.parse(maxArtifactSize), artifactDir,
                SchedulerLimits.defaults().withMaxGraphTasks(maxGraphTasks).withAllowedFailures(allowedFailures)
                        .withWorkStealing(workStealing), join, network.listenAddress());
        SchedulerServer server = SchedulerServer.start(config).toCompletionStage().toCompletableFuture().get(120, TimeUnit.SECONDS);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                server.stop().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
            } catch (Exception e) {
                System.err.println("scheduler did not stop cleanly: " + e.getMessage());
            } finally {
                stopped.countDown();
            }
        }, "partita-scheduler-shutdown"));
        System.out.println(server.readyLine());
        stopped.await();
        return 0;
    }
}
