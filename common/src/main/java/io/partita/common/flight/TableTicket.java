package io.partita.common.flight;

import io.partita.common.codec.MessageCodec;
import org.apache.arrow.flight.Ticket;

/**
 * The Flight ticket of a DoGet for one stored Arrow table: the answer is the table's own schema and record
 * batches. Tickets start with a kind byte ({@link FlightTickets}).
 */
public record TableTicket(String key) {
    public Ticket toTicket() {
        return FlightTickets.encode(FlightTickets.TABLE, MessageCodec.toCbor(this));
    }
}
