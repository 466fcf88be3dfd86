package io.partita.launcher;

import io.partita.common.config.PartitaVersion;
import io.partita.scheduler.SchedulerCli;
import io.partita.worker.WorkerCli;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code partita} command: {@code local}, plus {@code scheduler} and {@code worker} as in the other launchers. */
@Command(name = "partita", mixinStandardHelpOptions = true, versionProvider = PartitaVersion.class,
        description = "Partita: a distributed task scheduler and worker cluster for the JVM.",
        subcommands = {LocalCommand.class, CommandLine.HelpCommand.class})
public final class PartitaCli implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "name a command: partita local, partita scheduler or partita worker");
    }

    public static void main(String[] args) {
        CommandLine cli = new CommandLine(new PartitaCli())
                .addSubcommand("scheduler", new SchedulerCli())
                .addSubcommand("worker", new WorkerCli());
        System.exit(cli.execute(args));
    }
}
