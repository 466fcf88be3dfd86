package io.partita.common.flight;

import io.partita.common.codec.MessageCodec;
import org.apache.arrow.flight.FlightDescriptor;

/**
 * The descriptor of a DoPut that scatters one value onto a worker: its key, and whether the stream is the value as
 * an Arrow table (its own schema) or one row in {@link KeyValueBatches#SCHEMA} (a serialized value).
 */
public record ScatterDescriptor(String key, boolean table) {
    public FlightDescriptor toDescriptor() {
        return FlightDescriptor.command(MessageCodec.toCbor(this));
    }

    public static ScatterDescriptor from(FlightDescriptor descriptor) {
        if (!descriptor.isCommand()) {
            throw new IllegalArgumentException("a scatter DoPut needs a command descriptor (ScatterDescriptor)");
        }
        return MessageCodec.fromCbor(descriptor.getCommand(), ScatterDescriptor.class, 64 << 10);
    }
}
