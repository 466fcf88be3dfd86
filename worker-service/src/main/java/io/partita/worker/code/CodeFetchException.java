package io.partita.worker.code;

/**
 * A task's jars could not be fetched from the scheduler, even after retries: a failure of this worker's transport,
 * not of the task, so the scheduler runs the task on another worker.
 */
public final class CodeFetchException extends CodeLoadingException {
    public CodeFetchException(String message, Throwable cause) {
        super(message, cause);
    }
}
