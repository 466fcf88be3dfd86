package io.partita.common.task;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Objects;

/**
 * An exception raised by a task on a worker, as it reaches the client.
 *
 * @param type       the exception's class name
 * @param message    its message (may be empty)
 * @param stackTrace the remote stack trace, as {@link Throwable#printStackTrace()} prints it
 * @param exception  the exception itself, serialized, when it could be; the client rebuilds it with its own classes
 * @param originKey  the key of the task that raised it (dependents fail with the same cause)
 */
public record RemoteError(String type, String message, String stackTrace, byte[] exception, String originKey) {
    public RemoteError {
        Objects.requireNonNull(type, "type");
        message = message == null ? "" : message;
        stackTrace = stackTrace == null ? "" : stackTrace;
        Objects.requireNonNull(originKey, "originKey");
    }

    /** An error that was not raised by user code (a lost worker, a missing function); it has no exception object. */
    public static RemoteError of(String type, String message, String originKey) {
        return new RemoteError(type, message, "", null, originKey);
    }

    public static String stackTraceOf(Throwable t) {
        StringWriter out = new StringWriter();
        t.printStackTrace(new PrintWriter(out));
        return out.toString();
    }

    @Override
    public String toString() {
        return type + (message.isEmpty() ? "" : ": " + message) + " (in task " + originKey + ")";
    }
}
