package io.partita.common.flight;

import io.partita.common.codec.MessageCodec;
import java.util.List;
import org.apache.arrow.flight.Ticket;

/**
 * The Flight ticket of a DoGet for serialized values: the keys wanted. The answer is a stream in
 * {@link KeyValueBatches#SCHEMA}, one row per key found.
 */
public record FetchTicket(List<String> keys) {
    /** Bytes a ticket may have; anything longer is refused before decoding. */
    public static final long MAX_TICKET_BYTES = 64L << 20;

    public FetchTicket {
        keys = List.copyOf(keys);
    }

    public Ticket toTicket() {
        return new Ticket(MessageCodec.toCbor(this));
    }

    public static FetchTicket from(Ticket ticket) {
        return MessageCodec.fromCbor(ticket.getBytes(), FetchTicket.class, MAX_TICKET_BYTES);
    }
}
