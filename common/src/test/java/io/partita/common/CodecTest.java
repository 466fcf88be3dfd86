package io.partita.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.partita.common.codec.MessageCodec;
import io.partita.common.codec.ProtocolException;
import io.partita.common.codec.ValueCodec;
import io.partita.common.codec.ValueDecodingException;
import io.partita.common.fn.Fn2;
import io.partita.common.fn.Functions;
import io.partita.common.protocol.ClientRequest;
import io.partita.common.protocol.ClientUpdate;
import io.partita.common.protocol.WorkerReport;
import io.partita.common.task.Arg;
import io.partita.common.task.FunctionSpec;
import io.partita.common.task.GraphSpec;
import io.partita.common.task.Keys;
import io.partita.common.task.TaskSpec;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CodecTest {
    record Point(int x, int y) implements Serializable {}

    @Test
    void graphRoundTripsThroughCbor() {
        FunctionSpec fn = FunctionSpec.of("add", new byte[] {1, 2, 3}, List.of());
        TaskSpec a = TaskSpec.of("a-1", fn.id(), List.of(new Arg.Literal(ValueCodec.encode(1))));
        TaskSpec b = TaskSpec.of("b-1", fn.id(), List.of(new Arg.Ref("a-1"), new Arg.ListArg(List.of(new Arg.Ref("a-1")))));
        var request = new ClientRequest.SubmitGraph(7, new GraphSpec(List.of(fn), List.of(a, b), List.of("b-1")));

        var decoded = MessageCodec.fromCbor(MessageCodec.toCbor(request), ClientRequest.class, 1 << 20);

        assertThat(decoded).isInstanceOf(ClientRequest.SubmitGraph.class);
        var graph = ((ClientRequest.SubmitGraph) decoded).graph();
        assertThat(graph.tasks().get(1).dependencies()).containsExactly("a-1", "a-1");
        assertThat(graph.functions().getFirst().payload()).containsExactly(1, 2, 3);
        assertThat(graph.functions().getFirst().id()).isEqualTo(fn.id());
    }

    @Test
    void garbageAndOversizedMessagesAreRefusedWithTheirReason() {
        assertThatThrownBy(() -> MessageCodec.fromCbor(new byte[] {(byte) 0xff, 0x13, 0x37}, ClientRequest.class, 1 << 20))
                .isInstanceOf(ProtocolException.class).hasMessageContaining("undecodable ClientRequest");
        byte[] big = MessageCodec.toCbor(new ClientRequest.ReleaseKeys(List.of("x".repeat(200))));
        assertThatThrownBy(() -> MessageCodec.fromCbor(big, ClientRequest.class, 100))
                .isInstanceOf(ProtocolException.class).hasMessageContaining("over the limit").hasMessageContaining("--max-message-size");
    }

    /** Found by MessageCodecFuzzTest: a CBOR null decoded to a null message, which the endpoints dereference. */
    @Test
    void aNullMessageIsRefused() {
        assertThatThrownBy(() -> MessageCodec.fromCbor(new byte[] {(byte) 0xf6}, ClientRequest.class, 1 << 20))
                .isInstanceOf(ProtocolException.class).hasMessageContaining("it is null");
        assertThatThrownBy(() -> MessageCodec.fromJson("null", ClientUpdate.class))
                .isInstanceOf(ProtocolException.class).hasMessageContaining("it is null");
    }

    /** Found by ClientRequestFuzzTest: a graph request without its graph decoded, and the client endpoint dereferenced it. */
    @Test
    void aGraphRequestWithoutItsGraphIsRefused() {
        byte[] bytes = MessageCodec.toCbor(Map.of("type", "ClientRequest$SubmitGraph", "requestId", 3));
        assertThatThrownBy(() -> MessageCodec.fromCbor(bytes, ClientRequest.class, 1 << 20))
                .isInstanceOf(ProtocolException.class).hasMessageContaining("graph");
    }

    /**
     * The same as a graph request without its graph, for the parts of worker reports that WorkerEndpoint reads before
     * anything else: found reading it after ClientRequestFuzzTest's finding.
     */
    @Test
    void aRegistrationWithoutItsWorkerAndALoadWithoutItsWorkerAreRefused() {
        for (Map<String, Object> report : List.<Map<String, Object>>of(
                Map.of("type", "WorkerReport$RegisterWorker", "heldKeys", List.of()),
                Map.of("type", "WorkerReport$Load"),
                Map.of("type", "WorkerReport$Load", "load", Map.of("running", 1)))) {
            assertThatThrownBy(() -> MessageCodec.fromCbor(MessageCodec.toCbor(report), WorkerReport.class, 1 << 20))
                    .as("%s", report).isInstanceOf(ProtocolException.class);
        }
    }

    /**
     * Found by MessageCodecFuzzTest: ill-formed UTF-8 in a key decoded to a lone surrogate, which the CBOR encoder
     * refuses, so any message naming that key could not be sent on.
     */
    @Test
    void textThatCouldNotBeEncodedAgainIsRefused() {
        byte[] bytes = MessageCodec.toCbor(new ClientRequest.ReleaseKeys(List.of("key-zzz")));
        int at = indexOf(bytes, "zzz".getBytes(StandardCharsets.US_ASCII));
        byte[] ill = bytes.clone();
        ill[at] = (byte) 0xed; // U+DC80, a low surrogate alone, encoded as if it were a character: ill-formed UTF-8
        ill[at + 1] = (byte) 0xb2;
        ill[at + 2] = (byte) 0x80;
        assertThatThrownBy(() -> MessageCodec.fromCbor(ill, ClientRequest.class, 1 << 20))
                .isInstanceOf(ProtocolException.class).hasMessageContaining("lone surrogate");
        var paired = new ClientRequest.ReleaseKeys(List.of("key-\ud83c\udfb5", "key-\u00e9"));
        assertThat(MessageCodec.fromCbor(MessageCodec.toCbor(paired), ClientRequest.class, 1 << 20)).isEqualTo(paired);
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new AssertionError("not found");
    }

    @Test
    void typeNamesOutsideTheSealedHierarchyDoNotDecode() {
        String json = "{\"type\":\"java.util.HashMap\"}";
        assertThatThrownBy(() -> MessageCodec.fromJson(json, ClientUpdate.class)).isInstanceOf(ProtocolException.class);
    }

    @Test
    void scalarsUseTheCompactFormatAndObjectsRoundTrip() {
        for (Object v : new Object[] {null, 42, 42L, 2.5, true, "héllo", List.of(1, 2), new Point(1, 2), Map.of("k", 1)}) {
            assertThat(ValueCodec.decode(ValueCodec.encode(v), getClass().getClassLoader())).isEqualTo(v);
        }
        assertThat(ValueCodec.encode(42)).hasSize(5);
        assertThat((byte[]) ValueCodec.decode(ValueCodec.encode(new byte[] {9, 8}), null)).containsExactly(9, 8);
    }

    @Test
    void lambdasTravelAndTheirClassesAreReported() throws Exception {
        int offset = 10;
        Fn2<Integer, Integer, Integer> add = (a, b) -> a + b + offset;
        var encoded = ValueCodec.encodeCapturingClasses(add);
        Object decoded = ValueCodec.decode(encoded.bytes(), getClass().getClassLoader());
        assertThat(Functions.invoke(decoded, new ArrayList<>(List.of(1, 2)))).isEqualTo(13);
        assertThat(encoded.classes()).contains(java.lang.invoke.SerializedLambda.class);
        assertThat(Functions.nameOf(add)).isEqualTo("CodecTest.lambdasTravelAndTheirClassesAreReported");
    }

    @Test
    void classesOutsideTheUserLoaderAreRefused() {
        // A class of the process class path that is neither the JDK's nor Partita's nor the user loader's.
        Object foreign = new com.fasterxml.jackson.databind.node.TextNode("x");
        byte[] bytes = ValueCodec.encode(foreign);
        ClassLoader isolated = new ClassLoader(getClass().getClassLoader()) {};
        assertThatThrownBy(() -> ValueCodec.decode(bytes, isolated))
                .isInstanceOf(ValueDecodingException.class).hasMessageContaining("undeserializable value");
        assertThatThrownBy(() -> ValueCodec.decode(new byte[] {1, 2, 3}, isolated))
                .isInstanceOf(ValueDecodingException.class);
    }

    /** Found by ValueCodecFuzzTest: 40 bytes declaring an int[] of 2^31 - 1 elements exhausted the heap. */
    @Test
    void anArrayLongerThanItsStreamIsRefusedBeforeItIsAllocated() {
        byte[] bytes = ValueCodec.encode(new int[] {1, 2, 3});
        int length = bytes.length - 12 - 4; // the array's length precedes its 3 ints
        assertThat(java.nio.ByteBuffer.wrap(bytes, length, 4).getInt()).isEqualTo(3);
        java.nio.ByteBuffer.wrap(bytes, length, 4).putInt(Integer.MAX_VALUE - 8);
        assertThatThrownBy(() -> ValueCodec.decode(bytes, getClass().getClassLoader()))
                .isInstanceOf(ValueDecodingException.class).hasMessageContaining("REJECTED");
        ArrayList<Integer> large = new ArrayList<>(java.util.Collections.nCopies(100_000, 7));
        assertThat(ValueCodec.decode(ValueCodec.encode(large), getClass().getClassLoader())).isEqualTo(large);
    }

    /**
     * Found reading the filter after fuzzing: 300 levels of maps of lists (14 kB, under the filter's depth) overflowed
     * the stack, and the StackOverflowError escaped the decoder (a worker's task then never reported).
     */
    @Test
    void aValueNestedDeeperThanTheStackIsRefused() throws InterruptedException {
        Object[] deep = new Object[1];
        Thread encoder = new Thread(null, () -> {
            Object v = new ArrayList<>();
            for (int i = 0; i < 300; i++) {
                v = new HashMap<>(Map.of("k", new ArrayList<>(List.of(v))));
            }
            deep[0] = ValueCodec.encode(v);
        }, "encoder", 64L << 20);
        encoder.start();
        encoder.join();
        Object[] outcome = new Object[1];
        Thread decoder = new Thread(null, () -> {
            try {
                outcome[0] = ValueCodec.decode((byte[]) deep[0], getClass().getClassLoader());
            } catch (Throwable t) {
                outcome[0] = t;
            }
        }, "decoder", 256 << 10);
        decoder.start();
        decoder.join();
        assertThat(outcome[0]).isInstanceOf(ValueDecodingException.class);
        assertThat(((Throwable) outcome[0]).getMessage()).contains("nested too deeply");
    }

    @Test
    void arityMismatchSaysWhatWasExpected() {
        Fn2<Integer, Integer, Integer> add = Integer::sum;
        assertThatThrownBy(() -> Functions.invoke(add, List.of(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("takes 2 argument(s) but was given 1");
    }

    @Test
    void keysCarryTheirGroup() {
        String key = Keys.newKey("Example.square");
        assertThat(Keys.group(key)).isEqualTo("Example.square");
        assertThat(key).matches("Example\\.square-[0-9a-f]{32}");
    }
}
