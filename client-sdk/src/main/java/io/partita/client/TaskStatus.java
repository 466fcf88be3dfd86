package io.partita.client;

/** Where a task stands as the client knows it. */
public enum TaskStatus {
    PENDING, FINISHED, ERROR, CANCELLED, LOST
}
