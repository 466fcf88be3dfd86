package io.partita.common.fn;

import java.lang.invoke.SerializedLambda;
import java.lang.reflect.Method;
import java.util.List;

/** Calls task functions uniformly and names them for task keys. */
public final class Functions {
    private Functions() {}

    /** True for the function types a task can run. */
    public static boolean isFunction(Object fn) {
        return fn instanceof Fn0 || fn instanceof Fn1 || fn instanceof Fn2 || fn instanceof Fn3 || fn instanceof FnN;
    }

    /**
     * Applies {@code fn} to {@code args}.
     *
     * @throws IllegalArgumentException when the number of arguments does not match the function's
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    public static Object invoke(Object fn, List<Object> args) throws Exception {
        return switch (fn) {
            case Fn0 f -> { arity(0, args); yield f.call(); }
            case Fn1 f -> { arity(1, args); yield f.apply(args.get(0)); }
            case Fn2 f -> { arity(2, args); yield f.apply(args.get(0), args.get(1)); }
            case Fn3 f -> { arity(3, args); yield f.apply(args.get(0), args.get(1), args.get(2)); }
            case FnN f -> f.apply(args);
            case null -> throw new IllegalArgumentException("task function is null");
            default -> throw new IllegalArgumentException(fn.getClass().getName()
                    + " is not a task function: use Fn0, Fn1, Fn2, Fn3 or FnN from io.partita.common.fn");
        };
    }

    private static void arity(int expected, List<Object> args) {
        if (args.size() != expected) {
            throw new IllegalArgumentException("the task function takes " + expected + " argument(s) but was given " + args.size());
        }
    }

    /**
     * A readable name: for a lambda, its enclosing class and method ({@code Example.lambda$main$0}); for a class,
     * its simple name. Used as the task group (the key prefix).
     */
    public static String nameOf(Object fn) {
        Class<?> cl = fn.getClass();
        if (cl.isSynthetic() || cl.isHidden()) {
            try {
                Method writeReplace = cl.getDeclaredMethod("writeReplace");
                writeReplace.setAccessible(true);
                if (writeReplace.invoke(fn) instanceof SerializedLambda lambda) {
                    String capturing = lambda.getImplClass();
                    String simple = capturing.substring(capturing.lastIndexOf('/') + 1);
                    String method = lambda.getImplMethodName();
                    return method.startsWith("lambda$") ? simple + "." + method.substring("lambda$".length()).replaceAll("(\\$[0-9a-f]{8})?\\$\\d+$", "")
                            : simple + "." + method;
                }
            } catch (ReflectiveOperationException | RuntimeException e) {
                // fall through to the class name
            }
        }
        String name = cl.getSimpleName();
        return name.isEmpty() ? cl.getName() : name;
    }
}
