package io.partita.common.flight;

import io.partita.common.codec.MessageCodec;
import java.util.List;
import org.apache.arrow.flight.Ticket;

/**
 * The Flight ticket of a DoGet for serialized values: the keys wanted. The answer is a stream in
 * {@link KeyValueBatches#SCHEMA}, one row per key found.
 */
public record FetchTicket(List<String> keys) {
    public FetchTicket {
        keys = List.copyOf(keys);
    }

    public Ticket toTicket() {
        return FlightTickets.encode(FlightTickets.VALUES, MessageCodec.toCbor(this));
    }
}
