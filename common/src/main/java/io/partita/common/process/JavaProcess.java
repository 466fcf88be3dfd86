package io.partita.common.process;

import java.io.File;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Starts another JVM like this one (same java binary, JVM flags and class path) running {@code mainClass}: how
 * {@code partita-worker --nworkers N} and {@code partita local} start their processes.
 */
public final class JavaProcess {
    private JavaProcess() {}

    public static Process start(String mainClass, List<String> args, Map<String, String> extraEnv, Path logFile)
            throws IOException {
        List<String> command = command(mainClass, List.of(), args);
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().putAll(extraEnv);
        if (logFile == null) {
            builder.inheritIO();
        } else {
            File log = logFile.toFile();
            builder.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log));
        }
        return builder.start();
    }

    /**
     * The command starting {@code mainClass} in a JVM like this one (same java, JVM flags, class path) with
     * {@code extraJvmFlags} after this JVM's own.
     */
    public static List<String> command(String mainClass, List<String> extraJvmFlags, List<String> args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmArguments());
        command.addAll(extraJvmFlags);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(mainClass);
        command.addAll(args);
        return command;
    }

    /** This JVM's flags, without a debugger agent (a child must not try to bind the same debug port). */
    public static List<String> jvmArguments() {
        return ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .filter(a -> !a.startsWith("-agentlib:jdwp")).toList();
    }

    /** Asks {@code process} to stop (SIGTERM), then kills it if it has not stopped within {@code grace}. */
    public static void stop(Process process, Duration grace) {
        process.destroy();
        try {
            if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
