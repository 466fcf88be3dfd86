package io.partita.client;

import io.partita.common.fn.Fn0;
import io.partita.common.fn.Fn1;
import io.partita.common.fn.Fn2;
import io.partita.common.fn.Fn3;
import io.partita.common.fn.FnN;
import io.partita.common.fn.Functions;
import io.partita.common.task.Keys;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A task not submitted yet: a function and its arguments, which may be other {@code Delayed}s, {@link TaskFuture}s,
 * lists of them, or plain values. {@link Client#compute(Delayed)} submits everything reachable in one graph, each
 * shared node once. Its key is fixed when it is made, so computing it again refers to the same result.
 */
public final class Delayed<R> {
    final Object fn;
    final List<Object> args;
    final SubmitOptions options;
    private final String key;

    private Delayed(Object fn, List<Object> args, SubmitOptions options) {
        this.fn = Objects.requireNonNull(fn, "fn");
        this.args = java.util.Collections.unmodifiableList(Arrays.asList(args.toArray()));
        this.options = options == null ? SubmitOptions.DEFAULTS : options;
        this.key = this.options.key() != null ? Keys.requireValid(this.options.key())
                : Keys.newKey(this.options.prefix() != null ? this.options.prefix() : Functions.nameOf(fn));
    }

    public static <R> Delayed<R> of(Fn0<R> fn) {
        return new Delayed<>(fn, List.of(), null);
    }

    public static <A, R> Delayed<R> of(Fn1<A, R> fn, Object a) {
        return new Delayed<>(fn, Arrays.asList(a), null);
    }

    public static <A, B, R> Delayed<R> of(Fn2<A, B, R> fn, Object a, Object b) {
        return new Delayed<>(fn, Arrays.asList(a, b), null);
    }

    public static <A, B, C, R> Delayed<R> of(Fn3<A, B, C, R> fn, Object a, Object b, Object c) {
        return new Delayed<>(fn, Arrays.asList(a, b, c), null);
    }

    public static <R> Delayed<R> of(FnN<R> fn, Object... args) {
        return new Delayed<>(fn, Arrays.asList(args), null);
    }

    /** Any task function ({@code Fn0}..{@code FnN}) with options. */
    public static <R> Delayed<R> withOptions(SubmitOptions options, Object fn, Object... args) {
        if (!Functions.isFunction(fn)) {
            throw new IllegalArgumentException("not a task function: " + fn);
        }
        return new Delayed<>(fn, Arrays.asList(args), options);
    }

    public String key() {
        return key;
    }

    @Override
    public String toString() {
        return "Delayed[" + key + "]";
    }
}
