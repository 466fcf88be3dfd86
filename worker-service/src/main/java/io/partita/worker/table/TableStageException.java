package io.partita.worker.table;

/** A table task that DuckDB could not run: the message names the files it read and DuckDB's reason. */
public final class TableStageException extends RuntimeException {
    public TableStageException(String message, Throwable cause) {
        super(message, cause);
    }
}
