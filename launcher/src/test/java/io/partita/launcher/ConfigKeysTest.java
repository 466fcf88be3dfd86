package io.partita.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.partita.common.config.ConfigKeys;
import io.partita.scheduler.SchedulerCli;
import io.partita.worker.WorkerCli;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The configuration file's known keys are the options of the three commands, no more and no fewer. */
class ConfigKeysTest {
    @Test
    void everyOptionOfTheThreeCommandsIsAKnownKeyOfTheConfigurationFile() {
        Set<String> options = new TreeSet<>();
        for (Object command : new Object[] {new SchedulerCli(), new WorkerCli(), new LocalCommand()}) {
            new CommandLine(command).getCommandSpec().options().stream()
                    .map(o -> o.longestName().replaceFirst("^-+", ""))
                    .filter(n -> !n.equals("help") && !n.equals("version"))
                    .forEach(options::add);
        }
        assertThat(new TreeSet<>(ConfigKeys.ALL_OPTIONS)).isEqualTo(options);
    }
}
