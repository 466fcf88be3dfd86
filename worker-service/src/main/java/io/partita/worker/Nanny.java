package io.partita.worker;

import io.partita.common.net.Backoff;
import io.partita.common.process.JavaProcess;
import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import java.util.function.LongSupplier;

/**
 * The nanny of {@code partita-worker} (as dask-worker's): runs each worker in a child JVM, restarts a child that exits
 * with code 3 (memory over the terminate fraction) or dies unexpectedly, at most {@link #MAX_RESTARTS} times within
 * {@link #RESTART_WINDOW} per child, under the same name; and on stop forwards SIGTERM to its children, waits for them
 * with a deadline, then kills them. Children watch their nanny (its pid is in {@value #PID_ENV}) and stop when it is
 * gone, so that a nanny killed with SIGKILL takes its workers down.
 */
final class Nanny {
    /** The environment variable naming the nanny's pid to a child worker. */
    static final String PID_ENV = "PARTITA_NANNY_PID";
    static final int MAX_RESTARTS = 5;
    static final Duration RESTART_WINDOW = Duration.ofMinutes(5);
    /** Longer than a worker's retirement ({@link WorkerServer#RETIRE_TIMEOUT}): its keys move before it stops. */
    static final Duration STOP_GRACE = Duration.ofSeconds(30);
    /** The pause before a restart: 0.25 s doubling up to 4 s, counted by the restarts in the window. */
    static final Backoff RESTART_BACKOFF = Backoff.exponential(Duration.ofMillis(250), Duration.ofSeconds(4));

    /** One worker the nanny keeps running: its name, and how to start it. */
    record Child(String name, Launcher launcher) {}

    @FunctionalInterface
    interface Launcher {
        Process start() throws IOException;
    }

    private final List<Child> children;
    private final int maxRestarts;
    private final Duration window;
    private final Duration stopGrace;
    private final PrintStream log;
    private final LongSupplier clockMillis;
    private final IntFunction<Duration> backoff;
    private final Object lock = new Object();
    private final Map<String, Process> running = new LinkedHashMap<>();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile boolean stopping;

    Nanny(List<Child> children, int maxRestarts, Duration window, Duration stopGrace, PrintStream log, LongSupplier clockMillis,
          IntFunction<Duration> backoff) {
        this.children = List.copyOf(children);
        this.maxRestarts = maxRestarts;
        this.window = window;
        this.stopGrace = stopGrace;
        this.log = log;
        this.clockMillis = clockMillis;
        this.backoff = backoff;
    }

    Nanny(List<Child> children) {
        this(children, MAX_RESTARTS, RESTART_WINDOW, STOP_GRACE, System.err, System::currentTimeMillis, Nanny::backoff);
    }

    /** Runs every child until it stops for good (or the nanny stops); returns the worst final exit code. */
    int run() throws InterruptedException {
        List<Thread> supervisors = new ArrayList<>();
        int[] codes = new int[children.size()];
        for (int i = 0; i < children.size(); i++) {
            int index = i;
            supervisors.add(Thread.ofPlatform().name("partita-nanny-" + children.get(i).name())
                    .start(() -> codes[index] = supervise(children.get(index))));
        }
        for (Thread t : supervisors) {
            t.join();
        }
        int worst = 0;
        for (int code : codes) {
            worst = Math.max(worst, code);
        }
        return worst;
    }

    /** Stops the nanny: no more restarts; SIGTERM to the children, then SIGKILL to those still alive after the grace. */
    void stop() {
        List<Process> all;
        synchronized (lock) {
            stopping = true;
            all = new ArrayList<>(running.values());
        }
        stopped.countDown();
        all.forEach(Process::destroy);
        long deadline = System.nanoTime() + stopGrace.toNanos();
        for (Process p : all) {
            try {
                if (!p.waitFor(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                    log.println("partita-worker: worker process " + p.pid() + " did not stop within "
                            + stopGrace.toSeconds() + " s; killing it");
                    p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }

    boolean stopping() {
        return stopping;
    }

    /** The children's processes now running, by name. */
    Map<String, Process> running() {
        synchronized (lock) {
            return Map.copyOf(running);
        }
    }

    private int supervise(Child child) {
        Deque<Long> restarts = new ArrayDeque<>();
        while (true) {
            Process process;
            synchronized (lock) {
                if (stopping) {
                    return 0;
                }
                try {
                    process = child.launcher().start();
                } catch (IOException | RuntimeException e) {
                    log.println("partita-worker: cannot start worker " + child.name() + ": " + e.getMessage());
                    return 1;
                }
                running.put(child.name(), process);
            }
            int code;
            try {
                code = process.waitFor();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return 1;
            }
            synchronized (lock) {
                running.remove(child.name(), process);
                if (stopping) {
                    return code;
                }
            }
            String what = "worker " + child.name() + " exited (code " + code + ": " + describe(code) + ")";
            if (!restartable(code)) {
                log.println("partita-worker: " + what + "; not restarting it");
                return code;
            }
            long now = clockMillis.getAsLong();
            while (!restarts.isEmpty() && restarts.peekFirst() <= now - window.toMillis()) {
                restarts.removeFirst();
            }
            if (restarts.size() >= maxRestarts) {
                log.println("partita-worker: " + what + " after " + restarts.size() + " restarts within "
                        + describe(window) + "; giving up on it (see its output above for why it keeps exiting)");
                return code;
            }
            restarts.addLast(now);
            log.println("partita-worker: " + what + "; restarting (" + restarts.size() + " of " + maxRestarts + ")");
            try {
                if (stopped.await(backoff.apply(restarts.size()).toMillis(), TimeUnit.MILLISECONDS)) {
                    return code; // the nanny is stopping
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return code;
            }
        }
    }

    /** A short pause before a restart, growing with the restarts in the window: 0.25 s, 0.5 s, 1 s, 2 s, 4 s. */
    static Duration backoff(int restartsInWindow) {
        return RESTART_BACKOFF.delay(restartsInWindow);
    }

    /**
     * Whether an exit calls for a restart: not a clean stop (0), not a configuration error or unreachable scheduler
     * (2, which would only loop), and not SIGINT or SIGTERM (someone stopped the worker on purpose; Ctrl-C and
     * service managers signal the nanny and its children together). Memory terminate (3), SIGKILL (the OOM killer), a
     * crash or a lost scheduler connection (1) restart the worker.
     */
    static boolean restartable(int code) {
        return code != 0 && code != 2 && code != 128 + 2 && code != 128 + 15;
    }

    static String describe(int code) {
        return switch (code) {
            case 0 -> "stopped";
            case 1 -> "failed or lost the scheduler";
            case 2 -> "configuration error or scheduler unreachable";
            case 3 -> "memory over the terminate fraction";
            default -> code > 128 && code < 128 + 65 ? "killed by " + signalName(code - 128) : "unexpected exit";
        };
    }

    private static String signalName(int signal) {
        return switch (signal) {
            case 1 -> "SIGHUP";
            case 2 -> "SIGINT";
            case 3 -> "SIGQUIT";
            case 4 -> "SIGILL";
            case 6 -> "SIGABRT";
            case 7 -> "SIGBUS";
            case 9 -> "SIGKILL";
            case 11 -> "SIGSEGV";
            case 15 -> "SIGTERM";
            default -> "signal " + signal;
        };
    }

    private static String describe(Duration d) {
        return d.toSeconds() % 60 == 0 ? d.toMinutes() + " minute" + (d.toMinutes() == 1 ? "" : "s") : d.toSeconds() + " s";
    }

    /**
     * JVM memory flags for a worker of {@code memoryLimit} bytes (0 = none): a heap of 25% of the limit (at least
     * 128 MiB), since Arrow's data lives off-heap and in shared segments, and direct memory up to the limit; each only
     * when the nanny's own JVM flags ({@code PARTITA_JAVA_OPTS}) do not already set it.
     */
    static List<String> memoryFlags(long memoryLimit, List<String> nannyJvmArgs) {
        List<String> flags = new ArrayList<>();
        if (memoryLimit <= 0) {
            return flags;
        }
        boolean heapSet = nannyJvmArgs.stream().anyMatch(a -> a.startsWith("-Xmx") || a.startsWith("-XX:MaxHeapSize=")
                || a.startsWith("-XX:MaxRAMPercentage=") || a.startsWith("-XX:MaxRAMFraction=") || a.startsWith("-XX:MaxRAM="));
        if (!heapSet) {
            long mib = Math.max(128, memoryLimit / 4 / (1024 * 1024));
            flags.add("-Xmx" + mib + "m");
        }
        if (nannyJvmArgs.stream().noneMatch(a -> a.startsWith("-XX:MaxDirectMemorySize="))) {
            flags.add("-XX:MaxDirectMemorySize=" + memoryLimit);
        }
        return flags;
    }

    /**
     * In a child worker: watches the nanny of pid {@code nannyPid} every {@code every} and runs {@code onGone} once
     * it has exited (or this process was re-parented away from it). Returns the watching (daemon) thread.
     */
    static Thread watchNanny(long nannyPid, Duration every, Runnable onGone) {
        Optional<ProcessHandle> nanny = ProcessHandle.of(nannyPid);
        boolean wasParent = ProcessHandle.current().parent().map(ProcessHandle::pid).orElse(-1L) == nannyPid;
        return Thread.ofPlatform().daemon().name("partita-nanny-watch").start(() -> {
            try {
                while (nanny.isPresent() && nanny.get().isAlive()
                        && (!wasParent || ProcessHandle.current().parent().map(ProcessHandle::pid).orElse(-1L) == nannyPid)) {
                    Thread.sleep(every.toMillis());
                }
                onGone.run();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }

    /** Parses {@value #PID_ENV}, if set. */
    static Optional<Long> nannyPid(Map<String, String> env) {
        String value = env.get(PID_ENV);
        if (value == null || value.isBlank()) {
            return Optional.empty();
        }
        try {
            return Optional.of(Long.parseLong(value.strip()));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }
}
