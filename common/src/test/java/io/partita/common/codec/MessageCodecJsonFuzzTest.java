package io.partita.common.codec;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.core.type.TypeReference;
import io.partita.common.protocol.ClusterInfo;
import io.partita.common.protocol.WorkerInfo;
import io.partita.common.protocol.WorkerLoad;
import io.partita.common.protocol.WorkerStatus;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The HTTP API's JSON on any text, decoded as its readers decode it: {@code GET /api/cluster}'s {@link ClusterInfo}
 * as a worker joining reads it ({@link MessageCodec#fromJson}: a {@link ProtocolException} or a value), and
 * {@code GET /api/workers}' list of {@link WorkerStatus} as the client reads it ({@link MessageCodec#json()}: an
 * {@link IOException} or a value). The scheduler and the worker parse no JSON from requests: their HTTP requests carry
 * jars, WebSocket frames (CBOR) and query parameters.
 *
 * <p>Seeds are in {@code MessageCodecJsonFuzzTestInputs/httpJson}, written by {@link #main}.
 */
class MessageCodecJsonFuzzTest {
    private static final TypeReference<List<WorkerStatus>> WORKERS = new TypeReference<>() {};

    @FuzzTest(maxDuration = "10s")
    void httpJson(byte[] bytes) {
        String text = new String(bytes, StandardCharsets.UTF_8);
        try {
            assertThat(MessageCodec.fromJson(text, ClusterInfo.class)).isNotNull();
        } catch (ProtocolException refused) {
            // what ClusterJoin reports
        }
        try {
            MessageCodec.json().readValue(text, WORKERS);
        } catch (IOException refused) {
            // what HttpApi.workers reports
        }
    }

    /** Writes the seeds: {@code main(path of this class's inputs folder under src/test/resources)}. */
    public static void main(String[] args) throws IOException {
        Path dir = Files.createDirectories(Path.of(args[0], "httpJson"));
        Files.writeString(dir.resolve("cluster.json"), MessageCodec.toJson(new ClusterInfo("s1", "0.1.0",
                List.of("10.0.0.1:8786", "[::1]:8786"))));
        WorkerInfo info = new WorkerInfo("w1", "worker-1", "127.0.0.1", "h1", "grpc+tcp://127.0.0.1:8789", 8790, 2,
                1 << 30, Map.of("GPU", 1.0), 42, "/dev/shm/w1", "");
        WorkerLoad load = new WorkerLoad("w1", 1, 2, 3, 4, 5, 6, 7, new WorkerLoad.MemoryByTier(1, 2, 3, 4, 5, 6),
                WorkerLoad.TransferCounters.EMPTY, true, 12.5, 1,
                List.of(new WorkerLoad.Activity(1, WorkerLoad.Activity.SPILL, 2, 3, 4, 1, "")));
        Files.writeString(dir.resolve("workers.json"), MessageCodec.toJson(List.of(new WorkerStatus(info, load),
                new WorkerStatus(info, null))));
    }
}
