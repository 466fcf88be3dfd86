package io.partita.benchmarks;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Where the benchmarks' processes run: the one piece that knows about hosts, so that the namespace set-up can be
 * swapped (for the test-network fixture, say) without touching the benchmarks. Host 0 is the client's (the
 * benchmark JVM runs there already), host 1 the scheduler's, hosts 2.. the workers'.
 */
interface BenchHosts {
    /** The address processes on host {@code i} listen on and are reached at. */
    String address(int i);

    /** {@code command} made to run on host {@code i}. */
    List<String> onHost(int i, List<String> command);

    /** Whether the hosts are real network hosts (not one loopback): then each worker gets a host id of its own. */
    boolean separate();

    /** Sets a one-way delay of {@code ms} on every host's link (0: none); throws when the platform cannot. */
    void delay(int ms) throws IOException, InterruptedException;

    /** Every process on the loopback, as the benchmarks always ran. */
    static BenchHosts loopback() {
        return new BenchHosts() {
            @Override
            public String address(int i) {
                return "127.0.0.1";
            }

            @Override
            public List<String> onHost(int i, List<String> command) {
                return command;
            }

            @Override
            public boolean separate() {
                return false;
            }

            @Override
            public void delay(int ms) {
                if (ms != 0) {
                    throw new UnsupportedOperationException("no link to delay on the loopback");
                }
            }
        };
    }

    /**
     * Hosts of the test-network fixture {@code fixtureId} ({@code io.partita.testnet.NetworkHosts create}), given as
     * {@code namespace=address} pairs joined by commas; processes start with {@code ip netns exec}, delays go through
     * the fixture's {@code shape} command (netem).
     */
    static BenchHosts netns(String spec, String fixtureId) {
        List<String> names = new ArrayList<>();
        List<String> addresses = new ArrayList<>();
        for (String host : spec.split(",")) {
            String[] kv = host.strip().split("=", 2);
            if (kv.length != 2) {
                throw new IllegalArgumentException("bad host " + host + " in --netns-hosts (want namespace=address,...)");
            }
            names.add(kv[0]);
            addresses.add(kv[1]);
        }
        return new BenchHosts() {
            @Override
            public String address(int i) {
                return addresses.get(i);
            }

            @Override
            public List<String> onHost(int i, List<String> command) {
                List<String> wrapped = new ArrayList<>(List.of("ip", "netns", "exec", names.get(i)));
                wrapped.addAll(command);
                return wrapped;
            }

            @Override
            public boolean separate() {
                return true;
            }

            @Override
            public void delay(int ms) throws IOException, InterruptedException {
                for (int i = 0; i < names.size(); i++) {
                    // the fixture's own command ('ip -n' and 'ip netns exec' reach every host from any of them)
                    List<String> shape = List.of(ProcessHandle.current().info().command().orElse("java"), "-cp", System.getProperty("java.class.path"), "io.partita.testnet.NetworkHosts",
                            "shape", fixtureId, "h" + (i + 1), "" + ms * 1000L, "0");
                    Process p = new ProcessBuilder(shape).redirectErrorStream(true).start();
                    String out = new String(p.getInputStream().readAllBytes());
                    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                        throw new IOException("cannot set a " + ms + " ms delay: " + out.strip());
                    }
                }
            }
        };
    }
}
