package io.partita.common.codec;

/** A message that cannot be accepted: malformed, of an unknown type, or over the size limit. */
public class ProtocolException extends RuntimeException {
    public ProtocolException(String message) {
        super(message);
    }

    public ProtocolException(String message, Throwable cause) {
        super(message, cause);
    }
}
