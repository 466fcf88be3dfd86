package io.partita.common.codec;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.io.Serializable;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The value format on any bytes: a value, or a {@link ValueDecodingException} naming the problem; never another
 * exception, an error or a hang. The user class loader is shaped as a worker's (its task jars' loader, over the
 * process's), with no jar.
 *
 * <p>Java serialization itself is the JDK's: what this checks is the framing (tag, compact scalars) and what the
 * deserialization filter lets through. Seeds are in {@code ValueCodecFuzzTestInputs/values}, written by {@link #main}.
 */
class ValueCodecFuzzTest {
    private static final ClassLoader USER = new URLClassLoader("fuzz-task", new URL[0], ValueCodecFuzzTest.class.getClassLoader());

    @FuzzTest(maxDuration = "15s")
    void values(byte[] bytes) {
        try {
            ValueCodec.decode(bytes, USER);
        } catch (ValueDecodingException refused) {
            // what a task's argument or result that cannot be read reports
        }
    }

    /** A user value: a record of Partita's name space, which the filter accepts. */
    record Point(int x, double y, String label, List<Point> near) implements Serializable {}

    /** Writes the seeds: {@code main(path of this class's inputs folder under src/test/resources)}. */
    public static void main(String[] args) throws IOException {
        Path dir = Files.createDirectories(Path.of(args[0], "values"));
        Map<String, Object> seeds = new LinkedHashMap<>();
        seeds.put("null", null);
        seeds.put("int", 42);
        seeds.put("long", -7L);
        seeds.put("double", 2.5);
        seeds.put("boolean", true);
        seeds.put("string", "héllo");
        seeds.put("bytes", new byte[] {1, 2, 3});
        seeds.put("int-array", new int[] {1, 2, 3});
        seeds.put("list", new ArrayList<>(List.of(1, "two", 3.0)));
        HashMap<String, Object> map = new HashMap<>();
        map.put("k", List.of(1L, 2L));
        seeds.put("map", map);
        seeds.put("record", new Point(1, 2.0, "p", List.of(new Point(3, 4.0, "q", List.of()))));
        for (Map.Entry<String, Object> seed : seeds.entrySet()) {
            Files.write(dir.resolve(seed.getKey() + ".value"), ValueCodec.encode(seed.getValue()));
        }
    }
}
