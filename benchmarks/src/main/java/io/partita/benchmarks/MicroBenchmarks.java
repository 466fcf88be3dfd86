package io.partita.benchmarks;

/** JMH's command line over the micro-benchmarks in io.partita.benchmarks.jmh (benchmarks/run-jmh.sh). */
public final class MicroBenchmarks {
    private MicroBenchmarks() {
    }

    public static void main(String[] args) throws Exception {
        org.openjdk.jmh.Main.main(args);
    }
}
