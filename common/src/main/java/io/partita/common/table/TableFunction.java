package io.partita.common.table;

import io.partita.common.fn.FnN;
import java.util.List;

/**
 * The built-in function of every table task. It carries no code: a worker recognises it and hands the task's
 * {@link TableTask} to its engine (one DuckDB per worker), so a table stage is an ordinary task to the scheduler.
 * Its serialized form is constant, so every table task of every client shares one function id.
 */
public record TableFunction() implements FnN<Object> {
    public static final TableFunction INSTANCE = new TableFunction();

    @Override
    public Object apply(List<Object> args) {
        throw new IllegalStateException("a table task runs only on a worker with the table engine; this one has none");
    }
}
