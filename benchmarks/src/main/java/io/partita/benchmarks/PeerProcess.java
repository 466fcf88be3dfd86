package io.partita.benchmarks;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs one peer of the tables benchmark as a child process, samples the memory of its whole process tree, echoes
 * its output and reads its {@link PeerProtocol} lines. A peer that cannot start or fails gives an error result, so
 * the others are still reported.
 */
final class PeerProcess {
    private PeerProcess() {
    }

    static TablesResult run(String engine, List<String> command, Path workDir, long timeoutSeconds) {
        String shown = String.join(" ", command);
        System.out.println("== " + engine + ": " + (shown.length() > 300 ? shown.substring(0, 300) + "..." : shown));
        List<String> lines = new ArrayList<>();
        try {
            ProcessBuilder pb = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true);
            pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1"); // Spark would pick the host's own address: loopback only
            Process p = pb.start();
            long peak;
            try (TreeMemory memory = new TreeMemory(() -> List.of(p.pid()), List.of());
                 BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream()))) {
                Thread reader = Thread.ofPlatform().daemon().start(() -> out.lines().forEach(line -> {
                    synchronized (lines) {
                        lines.add(line);
                    }
                    if (!line.contains(" INFO ")) { // Spark's log
                        System.out.println("   [" + engine + "] " + line);
                    }
                }));
                if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                    p.descendants().forEach(ProcessHandle::destroyForcibly);
                    p.destroyForcibly();
                    reader.join(5_000);
                    return PeerProtocol.parse(engine, snapshot(lines), memory.peak(), "timed out after " + timeoutSeconds + " s");
                }
                reader.join(10_000);
                peak = memory.peak();
            }
            String failure = p.exitValue() == 0 ? null : "exited with " + p.exitValue();
            TablesResult r = PeerProtocol.parse(engine, snapshot(lines), peak, failure);
            return r.queries().isEmpty() ? r : new TablesResult(r.engine(), r.version(), r.queries(), peak, null);
        } catch (IOException | InterruptedException e) {
            return TablesResult.failed(engine, "could not run: " + e.getMessage());
        }
    }

    private static List<String> snapshot(List<String> lines) {
        synchronized (lines) {
            return List.copyOf(lines);
        }
    }
}
