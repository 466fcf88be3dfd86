package io.partita.client.table.expr;

/** A table plan that cannot be built: an unknown column, a type error. Thrown before anything is submitted. */
public final class PlanException extends IllegalArgumentException {
    public PlanException(String message) {
        super(message);
    }
}
