package io.partita.worker.code;

/** A task's function or jars could not be loaded: the task fails with this message, the worker stays up. */
public class CodeLoadingException extends RuntimeException {
    public CodeLoadingException(String message, Throwable cause) {
        super(message, cause);
    }
}
