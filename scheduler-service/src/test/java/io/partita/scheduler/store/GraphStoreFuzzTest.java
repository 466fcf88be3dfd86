package io.partita.scheduler.store;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.partita.common.codec.MessageCodec;
import io.partita.common.codec.ProtocolException;
import io.partita.common.protocol.ClientRequest;
import io.partita.common.task.Arg;
import io.partita.common.task.FunctionSpec;
import io.partita.common.task.GraphSpec;
import io.partita.common.task.TaskSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.Deflater;

/**
 * A stored graph's bytes read back as a scheduler taking over reads them ({@link GraphStore#load}): inflated within
 * the message limit, or refused with an {@link IllegalStateException} (corrupt, truncated, or a deflate bomb beyond
 * the limit); then decoded, or refused with a {@link ProtocolException}.
 *
 * <p>Seeds are in {@code GraphStoreFuzzTestInputs/storedGraphs}, written by {@link #main}: a stored graph, and a
 * bomb of 4 kB that inflates to 4 MiB.
 */
class GraphStoreFuzzTest {
    static final int LIMIT = 1 << 20;

    @FuzzTest(maxDuration = "5s")
    void storedGraphs(byte[] bytes) {
        byte[] inflated;
        try {
            inflated = GraphStore.inflate(bytes, LIMIT);
        } catch (IllegalStateException refused) {
            return;
        }
        assertThat(inflated.length).isLessThanOrEqualTo(LIMIT);
        try {
            MessageCodec.fromCbor(inflated, ClientRequest.SubmitGraph.class, LIMIT).graph().sharingStrings();
        } catch (ProtocolException refused) {
            // a graph that does not decode
        }
    }

    /** Writes the seeds: {@code main(path of this class's inputs folder under src/test/resources)}. */
    public static void main(String[] args) throws IOException {
        FunctionSpec f = FunctionSpec.of("inc", new byte[] {1, 2, 3}, List.of());
        GraphSpec graph = new GraphSpec(List.of(f), List.of(TaskSpec.of("inc-0", f.id(), List.of()),
                TaskSpec.of("inc-1", f.id(), List.of(new Arg.Ref("inc-0")))), List.of("inc-1"));
        Deflater deflater = new Deflater(Deflater.BEST_SPEED);
        Path dir = Files.createDirectories(Path.of(args[0], "storedGraphs"));
        Files.write(dir.resolve("graph.deflated"),
                GraphStore.deflate(deflater, MessageCodec.toCbor(new ClientRequest.SubmitGraph(1, graph))));
        Files.write(dir.resolve("bomb-4MiB.deflated"), GraphStore.deflate(new Deflater(Deflater.BEST_COMPRESSION), new byte[4 << 20]));
    }
}
