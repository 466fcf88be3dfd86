package io.partita.common.fn;

import java.io.Serializable;

/** A task function of one argument. */
@FunctionalInterface
public interface Fn1<A, R> extends Serializable {
    R apply(A a) throws Exception;
}
