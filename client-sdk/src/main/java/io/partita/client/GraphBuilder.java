package io.partita.client;

import io.partita.client.code.CodeShipper;
import io.partita.common.codec.ValueCodec;
import io.partita.common.fn.Functions;
import io.partita.common.task.Arg;
import io.partita.common.task.FunctionSpec;
import io.partita.common.task.GraphSpec;
import io.partita.common.task.Keys;
import io.partita.common.task.TaskSpec;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Builds one {@link GraphSpec} in a single pass: each function object is serialized once, each distinct function
 * (payload and jars) appears once, each {@link Delayed} node once. Not thread-safe: one builder per submission.
 */
final class GraphBuilder {
    private record Fn(byte[] payload, String name, List<String> artifacts, Map<List<String>, FunctionSpec> specs) {}

    private final CodeShipper shipper;
    private final IdentityHashMap<Object, Fn> fns = new IdentityHashMap<>();
    private final LinkedHashMap<String, FunctionSpec> functions = new LinkedHashMap<>();
    private final List<TaskSpec> tasks = new ArrayList<>();
    private final List<String> wanted = new ArrayList<>();
    private final IdentityHashMap<Delayed<?>, String> delayedKeys = new IdentityHashMap<>();
    private final Map<String, List<String>> artifactsByKey = new HashMap<>();
    /** Futures used as arguments: kept reachable (so not released) until the graph is accepted. */
    final List<TaskFuture<?>> argumentFutures = new ArrayList<>();

    GraphBuilder(CodeShipper shipper) {
        this.shipper = shipper;
    }

    /** Adds a task of {@code fn} on {@code args}; returns its key. */
    String addTask(Object fn, List<?> args, SubmitOptions options) {
        SubmitOptions o = options == null ? SubmitOptions.DEFAULTS : options;
        Fn f = function(fn);
        String key = o.key() != null ? Keys.requireValid(o.key()) : Keys.newKey(o.prefix() != null ? o.prefix() : f.name());
        addTask(key, f, args, o);
        return key;
    }

    private void addTask(String key, Fn f, List<?> args, SubmitOptions o) {
        Set<String> extra = null;
        List<Arg> converted = new ArrayList<>(args.size());
        for (Object a : args) {
            Set<String> needs = new TreeSet<>();
            converted.add(toArg(a, needs));
            if (!needs.isEmpty()) {
                if (extra == null) {
                    extra = new TreeSet<>(f.artifacts());
                }
                extra.addAll(needs);
            }
        }
        List<String> artifacts = extra == null || extra.size() == f.artifacts().size() ? f.artifacts() : List.copyOf(extra);
        FunctionSpec spec = f.specs().computeIfAbsent(artifacts, arts -> FunctionSpec.of(f.name(), f.payload(), arts));
        functions.putIfAbsent(spec.id(), spec);
        tasks.add(new TaskSpec(key, spec.id(), converted, o.retries(), o.priority(), o.resources(), o.workers()));
        artifactsByKey.put(key, artifacts);
    }

    /** Adds {@code d} and everything it reaches (each node once); returns its key. */
    String addDelayed(Delayed<?> d) {
        String known = delayedKeys.get(d);
        if (known != null) {
            return known;
        }
        delayedKeys.put(d, d.key());
        addTask(d.key(), function(d.fn), d.args, d.options);
        return d.key();
    }

    /** One more future for {@code key}. */
    void want(String key) {
        wanted.add(key);
    }

    List<String> artifactsOf(String key) {
        return artifactsByKey.getOrDefault(key, List.of());
    }

    int taskCount() {
        return tasks.size();
    }

    GraphSpec build() {
        return new GraphSpec(List.copyOf(functions.values()), tasks, wanted);
    }

    private Fn function(Object fn) {
        if (!Functions.isFunction(fn)) {
            throw new IllegalArgumentException((fn == null ? "null" : fn.getClass().getName())
                    + " is not a task function: use Fn0, Fn1, Fn2, Fn3 or FnN from io.partita.common.fn");
        }
        return fns.computeIfAbsent(fn, k -> {
            ValueCodec.Encoded enc;
            try {
                enc = ValueCodec.encodeCapturingClasses(k);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("the task function " + Functions.nameOf(k)
                        + " cannot be sent to workers (does it capture something not Serializable?): " + e.getMessage(), e);
            }
            List<Class<?>> classes = new ArrayList<>(enc.classes());
            classes.add(k.getClass());
            return new Fn(enc.bytes(), Functions.nameOf(k), shipper.artifactsFor(classes), new HashMap<>());
        });
    }

    private Arg toArg(Object value, Set<String> needs) {
        return switch (value) {
            case TaskFuture<?> f -> {
                argumentFutures.add(f);
                needs.addAll(f.artifacts());
                yield new Arg.Ref(f.key());
            }
            case Delayed<?> d -> {
                String key = addDelayed(d);
                needs.addAll(artifactsOf(key));
                yield new Arg.Ref(key);
            }
            case List<?> list when containsTasks(list) -> {
                List<Arg> items = new ArrayList<>(list.size());
                for (Object item : list) {
                    items.add(toArg(item, needs));
                }
                yield new Arg.ListArg(items);
            }
            case null, default -> {
                ValueCodec.Encoded enc = ValueCodec.encodeCapturingClasses(value);
                if (!enc.classes().isEmpty()) {
                    needs.addAll(shipper.artifactsFor(enc.classes()));
                }
                yield new Arg.Literal(enc.bytes());
            }
        };
    }

    private static boolean containsTasks(List<?> list) {
        for (Object item : list) {
            if (item instanceof TaskFuture<?> || item instanceof Delayed<?>
                    || (item instanceof List<?> inner && containsTasks(inner))) {
                return true;
            }
        }
        return false;
    }
}
