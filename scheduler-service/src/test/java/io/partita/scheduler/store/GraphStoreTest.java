package io.partita.scheduler.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.Deflater;
import org.junit.jupiter.api.Test;

class GraphStoreTest {
    private static final byte[] GRAPH = "square-0123456789abcdef-".repeat(10_000).getBytes(StandardCharsets.UTF_8);

    @Test
    void storedGraphsAreDeflatedAndComeBackIntact() {
        byte[] stored = GraphStore.deflate(new Deflater(Deflater.BEST_SPEED), GRAPH);
        assertThat(stored.length).isLessThan(GRAPH.length / 5);
        assertThat(GraphStore.inflate(stored, GRAPH.length)).isEqualTo(GRAPH);
    }

    @Test
    void aStoredGraphNeverInflatesBeyondTheMessageLimit() {
        byte[] stored = GraphStore.deflate(new Deflater(Deflater.BEST_SPEED), GRAPH);
        assertThatThrownBy(() -> GraphStore.inflate(stored, GRAPH.length / 2)).hasMessageContaining("beyond");
        assertThatThrownBy(() -> GraphStore.inflate(Arrays.copyOf(stored, stored.length / 2), GRAPH.length))
                .hasMessageContaining("truncated");
    }
}
