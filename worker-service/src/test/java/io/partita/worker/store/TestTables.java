package io.partita.worker.store;

import io.partita.common.data.Partition;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.VectorSchemaRoot;

/** Small tables for tests, and where a buffer's memory comes from. */
public final class TestTables {
    private TestTables() {}

    /** One batch, one BIGINT column "x": first, first + 1, ... */
    public static Partition longs(BufferAllocator allocator, long first, int rows) {
        BigIntVector x = new BigIntVector("x", allocator);
        x.allocateNew(rows);
        for (int i = 0; i < rows; i++) {
            x.set(i, first + i);
        }
        x.setValueCount(rows);
        return Partition.of(VectorSchemaRoot.of(x));
    }

    public static long first(Partition p) {
        return ((BigIntVector) p.batches().getFirst().getVector("x")).get(0);
    }

    /** The file mapped at the address of column x's data, or "" when it is anonymous memory. */
    public static String mappedFile(Partition p) throws IOException {
        long address = p.batches().getFirst().getVector("x").getDataBuffer().memoryAddress();
        for (String line : Files.readAllLines(Path.of("/proc/self/maps"))) {
            String[] f = line.trim().split("\\s+", 6);
            String[] range = f[0].split("-");
            long start = Long.parseUnsignedLong(range[0], 16);
            long end = Long.parseUnsignedLong(range[1], 16);
            if (Long.compareUnsigned(address, start) >= 0 && Long.compareUnsigned(address, end) < 0) {
                return f.length == 6 ? f[5].replace(" (deleted)", "").strip() : "";
            }
        }
        return "";
    }
}
