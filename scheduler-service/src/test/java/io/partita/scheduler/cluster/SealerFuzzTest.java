package io.partita.scheduler.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;

/**
 * The sealed-entry reader on any bytes: {@link Sealer#unseal} gives a content or nothing, never an exception, and an
 * entry is never both sealed and open. The same bytes as a content: what a sealer seals opens for its context with
 * the same secret only.
 *
 * <p>Seeds are in {@code SealerFuzzTestInputs/entries}, written by {@link #main}.
 */
class SealerFuzzTest {
    static final String CONTEXT = "partita.graphs/client-1/7";
    static final Sealer SEALED = Sealer.of("fuzz secret".getBytes(StandardCharsets.UTF_8));
    static final Sealer OTHER = Sealer.of("another secret".getBytes(StandardCharsets.UTF_8));
    static final Sealer OPEN = Sealer.open();

    @FuzzTest(maxDuration = "5s")
    void entries(byte[] bytes) {
        Optional<byte[]> sealed = SEALED.unseal(CONTEXT, bytes);
        Optional<byte[]> open = OPEN.unseal(CONTEXT, bytes);
        assertThat(sealed.isPresent() && open.isPresent()).as("sealed and open at once").isFalse();
        assertThat(OTHER.unseal(CONTEXT, bytes).isPresent() && sealed.isPresent()).as("opens with two secrets").isFalse();

        byte[] entry = SEALED.seal(CONTEXT, bytes);
        assertThat(SEALED.unseal(CONTEXT, entry)).hasValueSatisfying(plain -> assertThat(plain).isEqualTo(bytes));
        assertThat(SEALED.unseal(CONTEXT + "0", entry)).isEmpty();
        assertThat(OTHER.unseal(CONTEXT, entry)).isEmpty();
        assertThat(OPEN.unseal(CONTEXT, entry)).isEmpty();
        assertThat(SEALED.unseal(CONTEXT, OPEN.seal(CONTEXT, bytes))).isEmpty();
        assertThat(SEALED.unseal(CONTEXT, Arrays.copyOf(entry, entry.length - 1))).isEmpty();
    }

    /** Writes the seeds: {@code main(path of this class's inputs folder under src/test/resources)}. */
    public static void main(String[] args) throws IOException {
        byte[] graph = "a stored graph".getBytes(StandardCharsets.UTF_8);
        Path dir = Files.createDirectories(Path.of(args[0], "entries"));
        Files.write(dir.resolve("sealed"), SEALED.seal(CONTEXT, graph));
        Files.write(dir.resolve("sealed-empty"), SEALED.seal(CONTEXT, new byte[0]));
        Files.write(dir.resolve("open"), OPEN.seal(CONTEXT, graph));
    }
}
