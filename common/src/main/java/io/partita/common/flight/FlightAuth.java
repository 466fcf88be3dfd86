package io.partita.common.flight;

import io.partita.common.auth.ClusterToken;
import org.apache.arrow.flight.CallHeaders;
import org.apache.arrow.flight.CallOption;
import org.apache.arrow.flight.CallStatus;
import org.apache.arrow.flight.FlightCallHeaders;
import org.apache.arrow.flight.HeaderCallOption;
import org.apache.arrow.flight.auth2.CallHeaderAuthenticator;

/** The cluster token on Flight: a header check for servers, a call option for clients. */
public final class FlightAuth {
    private FlightAuth() {}

    /** Refuses calls without the token with UNAUTHENTICATED and a message that says what to do. */
    public static CallHeaderAuthenticator authenticator(ClusterToken token) {
        return (CallHeaders headers) -> {
            if (!token.accepts(headers.get(ClusterToken.HEADER))) {
                throw CallStatus.UNAUTHENTICATED.withDescription(ClusterToken.UNAUTHENTICATED).toRuntimeException();
            }
            return () -> "partita";
        };
    }

    /** Options to pass on every call: the token header when the cluster has one. */
    public static CallOption[] callOptions(ClusterToken token) {
        if (token.headerValue().isEmpty()) {
            return new CallOption[0];
        }
        CallHeaders headers = new FlightCallHeaders();
        headers.insert(ClusterToken.HEADER, token.headerValue().get());
        return new CallOption[] {new HeaderCallOption(headers)};
    }
}
