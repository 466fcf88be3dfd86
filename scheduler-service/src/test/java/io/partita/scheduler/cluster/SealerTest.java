package io.partita.scheduler.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class SealerTest {
    private static final byte[] GRAPH = "a graph with a literal argument: hunter2".getBytes(StandardCharsets.UTF_8);
    private final Sealer sealer = Sealer.of("s3cret".getBytes(StandardCharsets.UTF_8));

    @Test
    void aSealedEntryOpensForItsOwnContextOnlyAndHidesItsContent() {
        byte[] sealed = sealer.seal("partita.graphs/client-1/7", GRAPH);

        assertThat(new String(sealed, StandardCharsets.ISO_8859_1)).doesNotContain("hunter2");
        assertThat(sealer.unseal("partita.graphs/client-1/7", sealed)).hasValue(GRAPH);
        assertThat(Sealer.of("s3cret".getBytes(StandardCharsets.UTF_8)).unseal("partita.graphs/client-1/7", sealed))
                .as("another scheduler of the same secret").hasValue(GRAPH);
        assertThat(sealer.unseal("partita.graphs/evil/1", sealed)).as("moved to another key").isEmpty();
        assertThat(Sealer.of("other".getBytes(StandardCharsets.UTF_8)).unseal("partita.graphs/client-1/7", sealed))
                .as("another secret").isEmpty();
    }

    @Test
    void everyTamperedByteIsRefused() {
        byte[] sealed = sealer.seal("k", GRAPH);
        for (int i = 0; i < sealed.length; i++) {
            byte[] tampered = sealed.clone();
            tampered[i] ^= 0x01;
            assertThat(sealer.unseal("k", tampered)).as("byte %d flipped", i).isEmpty();
        }
        assertThat(sealer.unseal("k", java.util.Arrays.copyOf(sealed, sealed.length - 1))).isEmpty();
        assertThat(sealer.unseal("k", new byte[0])).isEmpty();
        assertThat(sealer.unseal("k", null)).isEmpty();
    }

    @Test
    void openEntriesAreReadOnlyWithoutASecretAndNeverWithOne() {
        byte[] open = Sealer.open().seal("k", GRAPH);

        assertThat(Sealer.open().unseal("k", open)).hasValue(GRAPH);
        assertThat(sealer.unseal("k", open)).as("an unsealed entry planted in a sealed cluster").isEmpty();
        assertThat(Sealer.open().unseal("k", sealer.seal("k", GRAPH))).isEmpty();
        assertThat(Sealer.open().unseal("k", GRAPH)).as("neither format").isEmpty();
    }

    @Test
    void anEmptySecretIsAnError() {
        assertThatThrownBy(() -> Sealer.of(new byte[0])).hasMessageContaining("empty");
    }
}
