package io.partita.common.fn;

import java.io.Serializable;

/** A task function of no arguments. Serializable, so a lambda of this type can be shipped to workers. */
@FunctionalInterface
public interface Fn0<R> extends Serializable {
    R call() throws Exception;
}
