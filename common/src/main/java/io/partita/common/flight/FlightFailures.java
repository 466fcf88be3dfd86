package io.partita.common.flight;

import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.FlightStatusCode;

/** What a failed Flight call says about its endpoint. */
public final class FlightFailures {
    private FlightFailures() {
    }

    /**
     * Whether the endpoint could not be reached or went away during the call (gRPC's "Network closed for unknown
     * reason" when a worker dies mid-stream is UNAVAILABLE): the data may well be found elsewhere or later, unlike a
     * refusal (UNAUTHENTICATED, NOT_FOUND, INVALID_ARGUMENT) that asking again does not change.
     */
    public static boolean unreachable(FlightRuntimeException e) {
        FlightStatusCode code = e.status().code();
        return code == FlightStatusCode.UNAVAILABLE || code == FlightStatusCode.TIMED_OUT || code == FlightStatusCode.UNKNOWN;
    }
}
