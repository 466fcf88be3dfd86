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
public final class PartitaDefaults implements CommandLine.IDefaultValueProvider {
    private final String command;
    private final Map<String, String> env;
    private final JsonNode yaml;

    public PartitaDefaults(String command, Map<String, String> env) {
        this.command = command;
        this.env = env;
        this.yaml = loadYaml(env.get("PARTITA_CONFIG"));
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
        if (yaml != null) {
            JsonNode section = yaml.path(command);
            JsonNode value = section.has(name) ? section.get(name) : yaml.get(name);
            if (value != null && !value.isContainerNode()) {
                return value.asText();
            }
        }
        return option.defaultValue();
    }

    private static JsonNode loadYaml(String file) {
        if (file == null || file.isBlank()) {
            return null;
        }
        try {
            return new ObjectMapper(new YAMLFactory()).readTree(Files.readString(Path.of(file)));
        } catch (IOException e) {
            throw new CommandLine.InitializationException("cannot read the configuration file " + file
                    + " named by PARTITA_CONFIG: " + e.getMessage());
        }
    }
}
