package io.partita.common.codec;

/** A serialized value that cannot be read: corrupt, refused by the deserialization filter, or of a missing class. */
public class ValueDecodingException extends RuntimeException {
    public ValueDecodingException(String message, Throwable cause) {
        super(message, cause);
    }
}
