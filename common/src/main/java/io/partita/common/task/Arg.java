package io.partita.common.task;

import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;

/** A task argument: a serialized literal, a reference to another task's result, or a list of either. */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "t")
public sealed interface Arg permits Arg.Literal, Arg.Ref, Arg.ListArg {

    /** A value serialized with {@link io.partita.common.codec.ValueCodec}. */
    record Literal(byte[] value) implements Arg {
        public Literal {
            Objects.requireNonNull(value, "value");
        }
    }

    /** The result of the task with this key; it makes that task a dependency. */
    record Ref(String key) implements Arg {
        public Ref {
            Keys.requireValid(key);
        }
    }

    /** A list whose elements are arguments themselves, e.g. a list of futures to reduce. */
    record ListArg(List<Arg> items) implements Arg {
        public ListArg {
            items = List.copyOf(items);
        }
    }

    /** The keys this argument depends on, added to {@code into}. */
    static void collectKeys(Arg arg, Collection<String> into) {
        switch (arg) {
            case Literal l -> { }
            case Ref r -> into.add(r.key());
            case ListArg l -> l.items().forEach(item -> collectKeys(item, into));
        }
    }

    static List<String> keysOf(List<Arg> args) {
        List<String> keys = new ArrayList<>();
        args.forEach(a -> collectKeys(a, keys));
        return keys;
    }
}
