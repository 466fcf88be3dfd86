package io.partita.common.codec;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InvalidClassException;
import java.io.NotSerializableException;
import java.io.ObjectInputFilter;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.ObjectStreamClass;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * The format of values that are not Arrow tables: one tag byte, then either a compact encoding of a common
 * scalar (null, Integer, Long, Double, Boolean, String, byte[]) or Java serialization (which carries lambdas,
 * records and user classes; Spark ships closures the same way).
 *
 * <p>Decoding accepts only what it must: JDK classes, Partita's own, and classes defined by the given user class
 * loader (on a worker, the isolated loader of the task's uploaded jars). Anything else on the process's class path,
 * such as library classes that deserialization gadgets are made of, is refused.
 */
public final class ValueCodec {
    private static final byte NULL = 0, JAVA = 1, INT = 2, LONG = 3, DOUBLE = 4, BOOLEAN = 5, STRING = 6, BYTES = 7;

    private ValueCodec() {}

    /** A serialized value and the classes written into it (which tells a client what code the value needs). */
    public record Encoded(byte[] bytes, Set<Class<?>> classes) {}

    public static byte[] encode(Object value) {
        return encode(value, false).bytes();
    }

    /** Encodes {@code value}; the result lists every class Java serialization wrote, so its code can be shipped. */
    public static Encoded encodeCapturingClasses(Object value) {
        return encode(value, true);
    }

    private static Encoded encode(Object value, boolean capture) {
        byte[] compact = compact(value);
        if (compact != null) {
            return new Encoded(compact, Set.of());
        }
        Set<Class<?>> classes = capture ? new LinkedHashSet<>() : Set.of();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
        bytes.write(JAVA);
        try (ObjectOutputStream out = new ObjectOutputStream(bytes) {
            @Override
            protected void annotateClass(Class<?> cl) {
                if (capture) {
                    classes.add(cl);
                }
            }
        }) {
            out.writeObject(value);
        } catch (NotSerializableException e) {
            throw new IllegalArgumentException("value of type " + value.getClass().getName()
                    + " cannot be sent to workers: " + e.getMessage()
                    + " is not Serializable (make it Serializable, a record implementing Serializable, or use an Arrow table)", e);
        } catch (IOException e) {
            throw new IllegalArgumentException("value of type " + value.getClass().getName() + " cannot be serialized: " + e, e);
        }
        return new Encoded(bytes.toByteArray(), classes);
    }

    private static byte[] compact(Object value) {
        return switch (value) {
            case null -> new byte[] {NULL};
            case Integer i -> ByteBuffer.allocate(5).put(INT).putInt(i).array();
            case Long l -> ByteBuffer.allocate(9).put(LONG).putLong(l).array();
            case Double d -> ByteBuffer.allocate(9).put(DOUBLE).putDouble(d).array();
            case Boolean b -> new byte[] {BOOLEAN, (byte) (b ? 1 : 0)};
            case String s -> {
                byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
                yield ByteBuffer.allocate(1 + utf8.length).put(STRING).put(utf8).array();
            }
            case byte[] b -> ByteBuffer.allocate(1 + b.length).put(BYTES).put(b).array();
            default -> null;
        };
    }

    /**
     * Decodes a value, resolving classes through {@code userLoader}.
     *
     * @throws ValueDecodingException naming the cause when the bytes are corrupt, a class is missing, the filter
     *                                refuses a class, or the value is nested deeper than the stack holds
     */
    public static Object decode(byte[] bytes, ClassLoader userLoader) {
        if (bytes.length == 0) {
            throw new ValueDecodingException("undeserializable value: it is empty", null);
        }
        ByteBuffer buf = ByteBuffer.wrap(bytes, 1, bytes.length - 1);
        try {
            return switch (bytes[0]) {
                case NULL -> null;
                case INT -> buf.getInt();
                case LONG -> buf.getLong();
                case DOUBLE -> buf.getDouble();
                case BOOLEAN -> buf.get() != 0;
                case STRING -> new String(bytes, 1, bytes.length - 1, StandardCharsets.UTF_8);
                case BYTES -> java.util.Arrays.copyOfRange(bytes, 1, bytes.length);
                case JAVA -> readJava(bytes, userLoader);
                default -> throw new ValueDecodingException("undeserializable value: unknown format tag " + bytes[0], null);
            };
        } catch (java.nio.BufferUnderflowException e) {
            throw new ValueDecodingException("undeserializable value: truncated (" + bytes.length + " bytes)", e);
        }
    }

    private static Object readJava(byte[] bytes, ClassLoader userLoader) {
        try (ObjectInputStream in = new FilteringInputStream(new ByteArrayInputStream(bytes, 1, bytes.length - 1),
                bytes.length - 1, userLoader)) {
            return in.readObject();
        } catch (ClassNotFoundException e) {
            throw new ValueDecodingException("undeserializable value: class " + e.getMessage()
                    + " is not available (was the jar that defines it uploaded?)", e);
        } catch (InvalidClassException e) {
            throw new ValueDecodingException("undeserializable value: " + e.getMessage(), e);
        } catch (IOException | RuntimeException e) {
            throw new ValueDecodingException("undeserializable value: " + e, e);
        } catch (StackOverflowError e) { // the filter's depth is not the stack's: 14 kB of nested maps overflow 1 MiB
            throw new ValueDecodingException("undeserializable value: nested too deeply for this thread's stack ("
                    + bytes.length + " bytes)", e);
        } catch (InternalError e) { // the JDK's immutable collections on a corrupt stream: a Map.of of an odd length
            throw new ValueDecodingException("undeserializable value: " + e, e);
        }
    }

    /** A short, readable type name for reports and the dashboard. */
    public static String typeName(Object value) {
        return value == null ? "null" : value.getClass().getName();
    }

    private static final class FilteringInputStream extends ObjectInputStream {
        private final ClassLoader userLoader;
        private final long streamBytes;

        FilteringInputStream(ByteArrayInputStream in, long streamBytes, ClassLoader userLoader) throws IOException {
            super(in);
            this.userLoader = userLoader;
            this.streamBytes = streamBytes;
            setObjectInputFilter(this::check);
        }

        private ObjectInputFilter.Status check(ObjectInputFilter.FilterInfo info) {
            if (info.depth() > 2_000) {
                return ObjectInputFilter.Status.REJECTED;
            }
            // Every element of an array (or of a collection, which checks its size the same way) takes at least one
            // byte of the stream: a longer one is corrupt, and allocating it first could exhaust the heap.
            if (info.arrayLength() > streamBytes) {
                return ObjectInputFilter.Status.REJECTED;
            }
            Class<?> cl = info.serialClass();
            if (cl == null) {
                return ObjectInputFilter.Status.UNDECIDED;
            }
            while (cl.isArray()) {
                cl = cl.getComponentType();
            }
            return accepted(cl) ? ObjectInputFilter.Status.ALLOWED : ObjectInputFilter.Status.REJECTED;
        }

        private boolean accepted(Class<?> cl) {
            ClassLoader loader = cl.getClassLoader();
            return cl.isPrimitive()
                    // the JDK's modules; not what an agent or -Xbootclasspath/a appended to the boot class path
                    || (loader == null || loader == ClassLoader.getPlatformClassLoader()) && cl.getModule().isNamed()
                    || cl.getName().startsWith("io.partita.")
                    || loader == userLoader;
        }

        @Override
        protected Class<?> resolveClass(ObjectStreamClass desc) throws IOException, ClassNotFoundException {
            try {
                return Class.forName(desc.getName(), false, userLoader);
            } catch (ClassNotFoundException e) {
                return super.resolveClass(desc);
            }
        }

        @Override
        protected Class<?> resolveProxyClass(String[] interfaces) throws IOException {
            throw new InvalidClassException("dynamic proxies are not accepted in task values");
        }
    }
}
