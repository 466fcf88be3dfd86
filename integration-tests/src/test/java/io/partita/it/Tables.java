package io.partita.it;

import io.partita.common.data.ArrowMemory;
import io.partita.common.data.Partition;
import java.io.IOException;
import java.io.Serializable;
import java.math.BigDecimal;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.DateDayVector;
import org.apache.arrow.vector.DecimalVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.SmallIntVector;
import org.apache.arrow.vector.TimeStampMicroVector;
import org.apache.arrow.vector.VarBinaryVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.complex.impl.UnionListWriter;

/** Tables for the data-plane tests, built where they run: in the test, or inside a task on a worker. */
public final class Tables {
    private Tables() {}

    /** One BigInt column "x" of {@code rows} rows: x[i] = first + i. */
    public static Partition longs(long first, int rows) {
        BigIntVector x = new BigIntVector("x", ArrowMemory.allocator());
        x.allocateNew(rows);
        for (int i = 0; i < rows; i++) {
            x.set(i, first + i);
        }
        x.setValueCount(rows);
        return Partition.of(VectorSchemaRoot.of(x));
    }

    public static long sum(Partition p) {
        long sum = 0;
        for (VectorSchemaRoot batch : p.batches()) {
            BigIntVector x = (BigIntVector) batch.getVector("x");
            for (int i = 0; i < batch.getRowCount(); i++) {
                sum += x.get(i);
            }
        }
        return sum;
    }

    /** Ten columns of mixed types, every third row null, in {@code batches} batches of {@code rows} rows. */
    static Partition mixed(BufferAllocator allocator, int batches, int rows) {
        List<VectorSchemaRoot> roots = new java.util.ArrayList<>();
        for (int b = 0; b < batches; b++) {
            IntVector i32 = new IntVector("i32", allocator);
            BigIntVector i64 = new BigIntVector("i64", allocator);
            SmallIntVector i16 = new SmallIntVector("i16", allocator);
            Float8Vector f64 = new Float8Vector("f64", allocator);
            VarCharVector text = new VarCharVector("text", allocator);
            VarBinaryVector bytes = new VarBinaryVector("bytes", allocator);
            BitVector flag = new BitVector("flag", allocator);
            DateDayVector day = new DateDayVector("day", allocator);
            TimeStampMicroVector ts = new TimeStampMicroVector("ts", allocator);
            DecimalVector dec = new DecimalVector("dec", allocator, 18, 3);
            ListVector list = ListVector.empty("list", allocator);
            for (var v : List.of(i32, i64, i16, f64, text, bytes, flag, day, ts, dec)) {
                v.allocateNew();
            }
            UnionListWriter lw = list.getWriter();
            for (int r = 0; r < rows; r++) {
                int n = b * rows + r;
                lw.setPosition(r);
                if (r % 3 == 0) {
                    continue; // every column null in this row
                }
                i32.setSafe(r, n);
                i64.setSafe(r, n * 1_000_000_007L);
                i16.setSafe(r, (short) (n % 30_000));
                f64.setSafe(r, n / 7.0);
                text.setSafe(r, ("row-" + n + "-é").getBytes(StandardCharsets.UTF_8));
                bytes.setSafe(r, new byte[] {(byte) n, (byte) (n >> 8), 0, -1});
                flag.setSafe(r, n % 2);
                day.setSafe(r, 19_000 + n);
                ts.setSafe(r, 1_700_000_000_000_000L + n);
                dec.setSafe(r, new BigDecimal(n).movePointLeft(3));
                lw.startList();
                for (int k = 0; k < n % 4; k++) {
                    lw.integer().writeInt(n + k);
                }
                lw.endList();
            }
            for (var v : List.of(i32, i64, i16, f64, text, bytes, flag, day, ts, dec)) {
                v.setValueCount(rows);
            }
            lw.setValueCount(rows);
            roots.add(new VectorSchemaRoot(List.of(i32, i64, i16, f64, text, bytes, flag, day, ts, dec, list)));
        }
        roots.forEach(r -> r.setRowCount(rows));
        return Partition.of(roots);
    }

    /** Same schema, and batch by batch the same values and nulls (Arrow's own comparison). */
    static boolean sameContents(Partition a, Partition b) {
        if (!a.schema().equals(b.schema()) || a.batches().size() != b.batches().size()) {
            return false;
        }
        for (int i = 0; i < a.batches().size(); i++) {
            if (!a.batches().get(i).equals(b.batches().get(i))) {
                return false;
            }
        }
        return true;
    }

    /**
     * What a task learns about where the first value of column "x" lives: the file mapped at that address in this
     * process (from /proc/self/maps), the value, and the value again after this method wrote a new one into that
     * file's pages through a separate mapping. If the buffer is the file's pages (no copy), the second read sees it.
     */
    public record Placement(String mappedFile, long before, long after) implements Serializable {}

    public static Placement probeAndOverwrite(Partition p, long newValue) throws IOException {
        BigIntVector x = (BigIntVector) p.batches().getFirst().getVector("x");
        long address = x.getDataBuffer().memoryAddress();
        long before = x.get(0);
        for (String line : Files.readAllLines(Path.of("/proc/self/maps"))) {
            String[] f = line.trim().split("\\s+", 6);
            String[] range = f[0].split("-");
            long start = Long.parseUnsignedLong(range[0], 16);
            long end = Long.parseUnsignedLong(range[1], 16);
            if (Long.compareUnsigned(address, start) < 0 || Long.compareUnsigned(address, end) >= 0) {
                continue;
            }
            String file = f.length == 6 ? f[5].replace(" (deleted)", "") : "";
            if (file.startsWith("/")) {
                long offset = Long.parseUnsignedLong(f[2], 16) + (address - start);
                try (FileChannel ch = FileChannel.open(Path.of(file), StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                    MappedByteBuffer page = ch.map(FileChannel.MapMode.READ_WRITE, offset, Long.BYTES);
                    page.order(ByteOrder.LITTLE_ENDIAN).putLong(0, newValue);
                    page.force();
                }
            }
            return new Placement(file, before, x.get(0));
        }
        return new Placement("", before, x.get(0));
    }
}
