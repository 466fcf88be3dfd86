package io.partita.architecture;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** No file under any module's src/main is over 400 lines: a longer file holds more than one responsibility. */
class SourceFileLengthTest {
    private static final int MAX_LINES = 400;

    @Test
    void noMainSourceFileIsOver400Lines() throws IOException {
        Path root = SourceTree.root();
        List<String> offenders;
        try (Stream<Path> modules = Files.list(root)) {
            offenders = modules.map(module -> module.resolve("src/main"))
                    .filter(Files::isDirectory)
                    .flatMap(SourceFileLengthTest::files)
                    .filter(SourceFileLengthTest::isText)
                    .map(file -> new Offender(root.relativize(file), lines(file)))
                    .filter(offender -> offender.lines() > MAX_LINES)
                    .sorted((a, b) -> Integer.compare(b.lines(), a.lines()))
                    .map(Offender::toString)
                    .toList();
        }
        assertThat(offenders).as("files under src/main over %d lines", MAX_LINES).isEmpty();
    }

    private record Offender(Path file, int lines) {
        @Override
        public String toString() {
            return file + " (" + lines + " lines)";
        }
    }

    private static Stream<Path> files(Path dir) {
        try (Stream<Path> walk = Files.walk(dir)) {
            return walk.filter(Files::isRegularFile).toList().stream();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Binary resources (images, jars) have no lines to count: a NUL byte in the first 8 KiB marks them. */
    private static boolean isText(Path file) {
        try (var in = Files.newInputStream(file)) {
            byte[] head = in.readNBytes(8192);
            for (byte b : head) {
                if (b == 0) {
                    return false;
                }
            }
            return true;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static int lines(Path file) {
        try (Stream<String> lines = Files.lines(file, java.nio.charset.StandardCharsets.ISO_8859_1)) {
            return Math.toIntExact(lines.count());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
