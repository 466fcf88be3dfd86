package io.partita.common.fn;

import java.io.Serializable;

/** A task function of three arguments. */
@FunctionalInterface
public interface Fn3<A, B, C, R> extends Serializable {
    R apply(A a, B b, C c) throws Exception;
}
