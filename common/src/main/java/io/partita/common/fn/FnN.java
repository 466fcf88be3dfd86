package io.partita.common.fn;

import java.io.Serializable;
import java.util.List;

/** A task function of any number of arguments, given in order. */
@FunctionalInterface
public interface FnN<R> extends Serializable {
    R apply(List<Object> args) throws Exception;
}
