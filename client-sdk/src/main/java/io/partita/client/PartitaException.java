package io.partita.client;

/** A failure of the client itself: the scheduler cannot be reached, refused a request, or the session ended. */
public class PartitaException extends RuntimeException {
    public PartitaException(String message) {
        super(message);
    }

    public PartitaException(String message, Throwable cause) {
        super(message, cause);
    }
}
