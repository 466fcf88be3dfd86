package io.partita.common.fn;

import java.io.Serializable;

/** A task function of two arguments. */
@FunctionalInterface
public interface Fn2<A, B, R> extends Serializable {
    R apply(A a, B b) throws Exception;
}
