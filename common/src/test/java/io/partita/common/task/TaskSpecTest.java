package io.partita.common.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.partita.common.codec.MessageCodec;
import io.partita.common.codec.ProtocolException;
import io.partita.common.protocol.ClientRequest;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TaskSpecTest {
    private static TaskSpec needing(double amount) {
        return new TaskSpec("t-0", "f", List.of(), 0, 0, Map.of("GPU", amount), List.of());
    }

    /**
     * Found by ClientRequestFuzzTest: a task needing -1 of a resource was placed (a worker "has" 0 of it, more than
     * -1) and drove the worker's use of it below zero, so that it seemed to have more of it than it has.
     */
    @Test
    void aResourceAmountMustBeFiniteAndNotNegative() {
        assertThat(needing(0.5).resources()).containsEntry("GPU", 0.5);
        for (double bad : new double[] {-1, Double.NaN, Double.POSITIVE_INFINITY}) {
            assertThatThrownBy(() -> needing(bad)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("resource GPU of task t-0 must be a finite amount of at least 0");
        }
    }

    @Test
    void aGraphWithANegativeResourceIsRefusedWhenDecoded() throws java.io.IOException {
        byte[] frame = MessageCodec.toCbor(new ClientRequest.SubmitGraph(1, new GraphSpec(
                List.of(FunctionSpec.of("f", new byte[] {1}, List.of())), List.of(needing(1)), List.of("t-0"))));
        var cbor = new com.fasterxml.jackson.dataformat.cbor.databind.CBORMapper();
        var tree = cbor.readTree(frame);
        var resources = (com.fasterxml.jackson.databind.node.ObjectNode) tree.findValue("resources");
        resources.put("GPU", -1.0);
        byte[] negative = cbor.writeValueAsBytes(tree);
        assertThat(MessageCodec.fromCbor(frame, ClientRequest.class, 1 << 20)).isInstanceOf(ClientRequest.SubmitGraph.class);
        assertThatThrownBy(() -> MessageCodec.fromCbor(negative, ClientRequest.class, 1 << 20))
                .isInstanceOf(ProtocolException.class);
    }
}
