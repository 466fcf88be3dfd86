package io.partita.architecture;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The same one-way direction as {@link ModuleDirectionTest}, on the poms: a module declares (outside test scope)
 * only the Partita modules it may use, so a wrong edge fails even before any class uses it.
 */
class ModulePomsTest {
    /** Product modules and the Partita modules each may depend on; test and benchmark modules are free. */
    private static final Map<String, Set<String>> ALLOWED = Map.of(
            "common", Set.of(),
            "dashboard", Set.of("partita-common"),
            "scheduler-service", Set.of("partita-common", "partita-dashboard"),
            "worker-service", Set.of("partita-common"),
            "client-sdk", Set.of("partita-common"),
            "launcher", Set.of("partita-common", "partita-scheduler-service", "partita-worker-service",
                    "partita-client-sdk"));

    private static final Pattern DEPENDENCY = Pattern.compile("<dependency>(.*?)</dependency>", Pattern.DOTALL);
    private static final Pattern PARTITA_ARTIFACT =
            Pattern.compile("<groupId>io\\.partita</groupId>\\s*<artifactId>([^<]+)</artifactId>");
    private static final Pattern TEST_SCOPE = Pattern.compile("<scope>test</scope>");

    @Test
    void productModulesDeclareOnlyTheModulesBelowThem() throws IOException {
        Path root = SourceTree.root();
        List<String> wrong = new ArrayList<>();
        for (var module : ALLOWED.entrySet()) {
            String pom = Files.readString(root.resolve(module.getKey()).resolve("pom.xml"));
            Matcher dependency = DEPENDENCY.matcher(pom.replaceAll("(?s)<!--.*?-->", ""));
            while (dependency.find()) {
                Matcher artifact = PARTITA_ARTIFACT.matcher(dependency.group(1));
                if (artifact.find() && !TEST_SCOPE.matcher(dependency.group(1)).find()
                        && !module.getValue().contains(artifact.group(1))) {
                    wrong.add(module.getKey() + " -> " + artifact.group(1));
                }
            }
        }
        assertThat(wrong).as("module dependencies that point the wrong way").isEmpty();
    }
}
