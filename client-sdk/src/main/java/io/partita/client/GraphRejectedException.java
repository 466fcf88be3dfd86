package io.partita.client;

/** The scheduler refused a submitted graph (RequestFailed); nothing of it was kept. */
public class GraphRejectedException extends RequestRefusedException {
    public GraphRejectedException(String message) {
        super(message);
    }
}
