package io.partita.it.netns;

import io.partita.client.Client;
import io.partita.client.ClientOptions;
import io.partita.client.SubmitOptions;
import io.partita.client.TaskFuture;
import io.partita.common.data.Partition;
import io.partita.common.fn.Fn0;
import io.partita.common.fn.Fn1;
import io.partita.it.Tables;
import io.partita.it.Trees;
import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;

/**
 * A client in a JVM of its own, started by the tests in a host's network namespace (the test JVM cannot reach the
 * hosts). {@code NetnsClient SCHEDULERS SCENARIO ARGS...}; prints {@code RESULT name=value} lines, and
 * {@code SUBMITTED} once a long graph is in; exits 0 when the scenario ran, 1 with the stack trace otherwise.
 */
public final class NetnsClient {
    private NetnsClient() {}

    public static void main(String[] args) {
        try (Client client = Client.connect(ClientOptions.of(args[0]).withConnectTimeout(Duration.ofSeconds(60)))) {
            switch (args[1]) {
                case "cross-hosts" -> crossHosts(client, args[2], args[3], args[4]);
                case "tree" -> tree(client, Integer.parseInt(args[2]), Integer.parseInt(args[3]));
                case "hello" -> result("hello", client.submit(() -> "still up").result(Duration.ofSeconds(60)));
                default -> throw new IllegalArgumentException("unknown scenario " + args[1]);
            }
        } catch (Throwable t) {
            t.printStackTrace(System.out);
            System.out.flush();
            System.exit(1);
        }
        System.out.flush();
        System.exit(0);
    }

    /**
     * A table of 1,000,000 longs made on {@code producer}, read on {@code bulkReader} (bulk path) and on
     * {@code flightReader} (a --peer-transfer flight worker), gathered to this client, and a table scattered from here.
     */
    private static void crossHosts(Client client, String producer, String bulkReader, String flightReader) throws Exception {
        TaskFuture<Partition> table = client.submitWith(SubmitOptions.defaults().workers(List.of(producer)),
                (Fn0<Partition>) () -> Tables.longs(5, 1_000_000));
        // read first, then probed (the probe overwrites the reader's copy in place)
        try (Partition gathered = table.result(Duration.ofSeconds(120))) { // from a holder's Flight server
            result("gather-rows", gathered.rowCount());
            result("gather-sum", Tables.sum(gathered));
        }
        result("bulk-sum", client.<Long>submitWith(SubmitOptions.defaults().workers(List.of(bulkReader)),
                (Fn1<Partition, Long>) Tables::sum, table).result(Duration.ofSeconds(120)));
        result("flight-sum", client.<Long>submitWith(SubmitOptions.defaults().workers(List.of(flightReader)),
                (Fn1<Partition, Long>) Tables::sum, table).result(Duration.ofSeconds(120)));
        Tables.Placement bulk = client.<Tables.Placement>submitWith(SubmitOptions.defaults().workers(List.of(bulkReader)),
                (Fn1<Partition, Tables.Placement>) p -> Tables.probeAndOverwrite(p, 1), table).result(Duration.ofSeconds(120));
        result("bulk-first", bulk.before());
        result("bulk-file", bulk.mappedFile());
        Tables.Placement flight = client.<Tables.Placement>submitWith(SubmitOptions.defaults().workers(List.of(flightReader)),
                (Fn1<Partition, Tables.Placement>) p -> Tables.probeAndOverwrite(p, 2), table).result(Duration.ofSeconds(120));
        result("flight-first", flight.before());
        result("flight-file", flight.mappedFile());
        try (Partition mine = Tables.longs(100, 1000)) {
            TaskFuture<Partition> scattered = client.scatter(mine);
            result("scatter-sum", client.<Long>submitWith(SubmitOptions.defaults().workers(List.of(flightReader)),
                    (Fn1<Partition, Long>) Tables::sum, scattered).result(Duration.ofSeconds(120)));
        }
    }

    /** {@code leaves} leaves of {@code sleepMs} each and a pairwise sum over them (leaves: a power of two). */
    private static void tree(Client client, int leaves, int sleepMs) {
        List<TaskFuture<Long>> level = client.map((Integer x) -> {
            Thread.sleep(sleepMs);
            return (long) x;
        }, IntStream.range(0, leaves).boxed().toList());
        TaskFuture<Long> total = Trees.pairwiseSum(client, level);
        System.out.println("SUBMITTED");
        System.out.flush();
        result("total", total.result(Duration.ofSeconds(240)));
        result("after", client.submit(() -> "still up").result(Duration.ofSeconds(60)));
    }

    private static void result(String name, Object value) {
        System.out.println("RESULT " + name + "=" + value);
        System.out.flush();
    }
}
