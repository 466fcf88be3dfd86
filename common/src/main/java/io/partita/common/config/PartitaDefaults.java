package io.partita.common.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Defaults for command-line options, in Partita's order of precedence: a flag on the command line, then the
 * environment ({@code PARTITA_<COMMAND>_<OPTION>}, e.g. {@code PARTITA_WORKER_NTHREADS}, then
 * {@code PARTITA_<OPTION>}, e.g. {@code PARTITA_AUTH_TOKEN}), then the YAML file named by {@code PARTITA_CONFIG}
 * (keys are option names without dashes, under a section named for the command, or at the top level), then the
 * option's built-in default.
 */
public class PartitaDefaults implements CommandLine.IDefaultValueProvider {
    public static final String FOOTER_SCHEDULER = "%nEvery option can also be set in the environment, as PARTITA_SCHEDULER_<OPTION> "
            + "(PARTITA_SCHEDULER_PORT=8786) or PARTITA_<OPTION> (PARTITA_AUTH_TOKEN), or in the YAML file named by "
            + "PARTITA_CONFIG (under 'scheduler:'). A flag wins over the environment, which wins over the file.";
    public static final String FOOTER_WORKER = "%nEvery option can also be set in the environment, as PARTITA_WORKER_<OPTION> "
            + "(PARTITA_WORKER_NTHREADS=4) or PARTITA_<OPTION> (PARTITA_AUTH_TOKEN), or in the YAML file named by "
            + "PARTITA_CONFIG (under 'worker:'). A flag wins over the environment, which wins over the file.";
    public static final String FOOTER_LOCAL = "%nEvery option can also be set in the environment, as PARTITA_LOCAL_<OPTION> "
            + "(PARTITA_LOCAL_WORKERS=4) or PARTITA_<OPTION> (PARTITA_AUTH_TOKEN), or in the YAML file named by "
            + "PARTITA_CONFIG (under 'local:'). A flag wins over the environment, which wins over the file.";

    private final String command;
    private final Map<String, String> env;
    /** Read at the first option's default, where a bad file can be reported as a usage error (exit code 2). */
    private JsonNode yaml;
    private boolean loaded;

    public PartitaDefaults(String command, Map<String, String> env) {
        this.command = command;
        this.env = env;
    }

    /** For {@code @Command(defaultValueProvider = ...)}, which needs a class with a no-argument constructor. */
    public static final class Scheduler extends PartitaDefaults {
        public Scheduler() {
            super("scheduler", System.getenv());
        }
    }

    /** Defaults of {@code partita-worker}: {@code PARTITA_WORKER_*}. */
    public static final class Worker extends PartitaDefaults {
        public Worker() {
            super("worker", System.getenv());
        }
    }

    /** Defaults of {@code partita local}: {@code PARTITA_LOCAL_*}. */
    public static final class Local extends PartitaDefaults {
        public Local() {
            super("local", System.getenv());
        }
    }

    /** The provider for {@code command} reading this process's environment. */
    public static PartitaDefaults forCommand(String command) {
        return new PartitaDefaults(command, System.getenv());
    }

    @Override
    public String defaultValue(ArgSpec arg) {
        if (!(arg instanceof OptionSpec option)) {
            return arg.defaultValue();
        }
        String name = option.longestName().replaceFirst("^-+", "");
        String envName = name.toUpperCase(Locale.ROOT).replace('-', '_');
        String commandEnv = "PARTITA_" + command.toUpperCase(Locale.ROOT) + "_" + envName;
        if (env.containsKey(commandEnv)) {
            return env.get(commandEnv);
        }
        if (env.containsKey("PARTITA_" + envName)) {
            return env.get("PARTITA_" + envName);
        }
        if (!loaded) {
            loaded = true;
            yaml = loadYaml(env.get("PARTITA_CONFIG"), option.command());
        }
        if (yaml != null) {
            JsonNode section = yaml.path(command);
            JsonNode value = section.has(name) ? section.get(name) : yaml.get(name);
            if (value != null && !value.isContainerNode()) {
                return value.asText();
            }
        }
        return option.defaultValue();
    }

    private JsonNode loadYaml(String file, CommandLine.Model.CommandSpec spec) {
        if (file == null || file.isBlank()) {
            return null;
        }
        JsonNode tree;
        try {
            tree = new ObjectMapper(new YAMLFactory()).readTree(Files.readString(Path.of(file)));
        } catch (java.nio.file.NoSuchFileException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "the configuration file " + file
                    + " named by PARTITA_CONFIG does not exist");
        } catch (IOException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "cannot read the configuration file " + file
                    + " named by PARTITA_CONFIG: " + e.getMessage());
        }
        java.util.List<String> names = spec.options().stream().map(o -> o.longestName().replaceFirst("^-+", "")).toList();
        java.util.List<String> problems = ConfigKeys.problems(file, tree, command, names);
        if (!problems.isEmpty()) {
            throw new CommandLine.ParameterException(spec.commandLine(), String.join("\n", problems));
        }
        return tree;
    }
}
