package io.partita.common.flight;

import io.partita.common.codec.MessageCodec;
import io.partita.common.codec.ProtocolException;
import java.util.Arrays;
import org.apache.arrow.flight.Ticket;

/** Partita's Flight tickets: a kind byte, then the CBOR of a {@link FetchTicket} or a {@link TableTicket}. */
public final class FlightTickets {
    static final byte VALUES = 'V';
    static final byte TABLE = 'T';
    private static final long MAX_TICKET_BYTES = 64L << 20;

    private FlightTickets() {}

    static Ticket encode(byte kind, byte[] cbor) {
        byte[] bytes = new byte[cbor.length + 1];
        bytes[0] = kind;
        System.arraycopy(cbor, 0, bytes, 1, cbor.length);
        return new Ticket(bytes);
    }

    /** A {@link FetchTicket} or a {@link TableTicket}; anything else is refused with a {@link ProtocolException}. */
    public static Record decode(Ticket ticket) {
        byte[] bytes = ticket.getBytes();
        if (bytes.length == 0) {
            throw new ProtocolException("empty Flight ticket: expected a Partita FetchTicket or TableTicket");
        }
        byte[] cbor = Arrays.copyOfRange(bytes, 1, bytes.length);
        return switch (bytes[0]) {
            case VALUES -> MessageCodec.fromCbor(cbor, FetchTicket.class, MAX_TICKET_BYTES);
            case TABLE -> MessageCodec.fromCbor(cbor, TableTicket.class, MAX_TICKET_BYTES);
            default -> throw new ProtocolException("unknown Flight ticket kind " + bytes[0] + ": expected a Partita FetchTicket or TableTicket");
        };
    }
}
