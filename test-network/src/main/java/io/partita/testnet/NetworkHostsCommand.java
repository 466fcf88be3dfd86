package io.partita.testnet;

import io.partita.testnet.NetworkHosts.Host;

import java.nio.file.Files;
import java.time.Duration;

/** The command line of {@link NetworkHosts} ({@code java io.partita.testnet.NetworkHosts ...}), for shell scripts. */
final class NetworkHostsCommand {
    private NetworkHostsCommand() {
    }

    /**
     * For shell scripts (benchmarks): {@code create N} builds N hosts owned by the calling shell (they count as stale
     * once it exits) and prints {@code id ID}, then one line per host {@code NAME NAMESPACE ADDRESS SHM_DIR}, then
     * {@code exec NAME PREFIX...} lines; {@code delete ID}; {@code delete-stale}; {@code shape ID HOST LATENCY_US
     * RATE_BIT}; {@code down ID HOST}; {@code up ID HOST}.
     */
    static void run(String[] args) throws Exception {
        if (args.length == 0) {
            System.err.println("usage: NetworkHosts create N | delete ID | delete-stale | shape ID HOST LATENCY_US RATE_BIT"
                    + " | down ID HOST | up ID HOST");
            System.exit(2);
        }
        switch (args[0]) {
            case "create" -> {
                ProcessHandle owner = ProcessHandle.current().parent().orElse(ProcessHandle.current());
                NetworkHosts net = NetworkHosts.create(Integer.parseInt(args[1]), owner);
                net.keepAfterExit(); // the namespaces outlive this command
                System.out.println("id " + net.id());
                for (Host h : net.hosts()) {
                    System.out.println(h.name() + " " + h.namespace() + " " + h.address() + " " + h.shmDir());
                }
                for (Host h : net.hosts()) {
                    System.out.println("exec " + h.name() + " " + String.join(" ", net.execPrefix(h).stream()
                            .map(s -> s.matches("[A-Za-z0-9_./=-]+") ? s : "'" + s.replace("'", "'\\''") + "'").toList()));
                }
            }
            case "delete" -> Fixtures.delete(args[1]);
            case "delete-stale" -> System.out.println("deleted: " + Fixtures.deleteStale());
            case "shape", "down", "up" -> {
                String id = args[1];
                int index = Integer.parseInt(args[2].replaceFirst("^h", ""));
                String ns = Fixtures.hostNamespace(id, index);
                if (!Files.exists(Fixtures.NETNS_DIR.resolve(ns))) {
                    throw new IllegalArgumentException("no host " + args[2] + " in fixture " + id);
                }
                switch (args[0]) {
                    case "down" -> Shell.ip("-n", Fixtures.bridgeNamespace(id), "link", "set", "v" + index, "down");
                    case "up" -> Shell.ip("-n", Fixtures.bridgeNamespace(id), "link", "set", "v" + index, "up");
                    default -> {
                        NetworkHosts view = NetworkHosts.view(id, index);
                        view.shape(view.host(index), Duration.ofNanos(Long.parseLong(args[3]) * 1000), Long.parseLong(args[4]));
                    }
                }
            }
            default -> {
                System.err.println("unknown command " + args[0]);
                System.exit(2);
            }
        }
    }
}
