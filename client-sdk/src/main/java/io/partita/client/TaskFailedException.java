package io.partita.client;

/** Unchecked form of a task's failure, thrown by {@link TaskFuture#result()}; the cause is the remote exception. */
public class TaskFailedException extends RuntimeException {
    private final String key;

    public TaskFailedException(String key, Throwable cause) {
        super("task " + key + " failed: " + cause, cause);
        this.key = key;
    }

    public String key() {
        return key;
    }
}
