package io.partita.architecture;

import java.nio.file.Files;
import java.nio.file.Path;

/** The repository's root, found from the module's working directory (Maven runs tests in the module's folder). */
final class SourceTree {
    private static final int MAX_LEVELS = 5;

    private SourceTree() {
    }

    static Path root() {
        Path dir = Path.of("").toAbsolutePath();
        for (int i = 0; i < MAX_LEVELS && dir != null; i++, dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("mvnw")) && Files.isDirectory(dir.resolve("architecture-tests"))) {
                return dir;
            }
        }
        throw new IllegalStateException("no Partita checkout above " + Path.of("").toAbsolutePath());
    }
}
