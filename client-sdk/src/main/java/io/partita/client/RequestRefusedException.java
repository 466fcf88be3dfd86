package io.partita.client;

/** The scheduler refused a request (RequestFailed), naming why; nothing of it was done. */
public class RequestRefusedException extends PartitaException {
    public RequestRefusedException(String message) {
        super(message);
    }
}
