package io.partita.client;

import io.partita.common.codec.ValueCodec;
import io.partita.common.task.RemoteError;

/** Turns a task's {@link RemoteError} back into an exception. */
final class RemoteErrors {
    private RemoteErrors() {}

    /**
     * The remote exception itself when it deserializes with {@code loader} (its stack trace is the remote one),
     * otherwise a {@link RemoteTaskException} with the remote type, message and stack trace.
     */
    static Throwable rebuild(RemoteError error, ClassLoader loader) {
        if (error.exception() != null && error.exception().length > 0) {
            try {
                if (ValueCodec.decode(error.exception(), loader) instanceof Throwable t) {
                    return t;
                }
            } catch (RuntimeException | LinkageError e) {
                // the client lacks the class or the filter refused it: fall back to the text form
            }
        }
        return new RemoteTaskException(error.type(), error.message(), error.stackTrace(), error.originKey());
    }
}
