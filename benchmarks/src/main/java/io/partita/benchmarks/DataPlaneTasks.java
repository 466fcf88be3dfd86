package io.partita.benchmarks;

import io.partita.client.Client;
import io.partita.client.SubmitOptions;
import io.partita.client.TaskFuture;
import io.partita.common.data.ArrowMemory;
import io.partita.common.data.Partition;
import io.partita.common.protocol.WorkerLoad;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.VectorSchemaRoot;

/** What the data-plane benchmarks share: the tasks they run on the workers, waiting, timing and their summaries. */
final class DataPlaneTasks {
    static final long MIB = 1L << 20;
    static final Duration TASK_TIMEOUT = Duration.ofMinutes(5);

    private DataPlaneTasks() {
    }

    /** One BigInt column of {@code rows} values start, start+1, ..., built with the task's allocator. */
    static Partition column(long start, int rows) {
        BigIntVector v = new BigIntVector("x", ArrowMemory.allocator());
        v.allocateNew(rows);
        ArrowBuf data = v.getDataBuffer();
        for (int i = 0; i < rows; i++) {
            data.setLong((long) i * Long.BYTES, start + i);
        }
        ArrowBuf validity = v.getValidityBuffer();
        validity.setOne(0, (rows + 7) / 8);
        v.setValueCount(rows);
        VectorSchemaRoot root = new VectorSchemaRoot(List.of(v));
        root.setRowCount(rows);
        return Partition.of(root);
    }

    /**
     * {sum, count} of the first column of every batch, read in place from the data buffer's memory as a foreign
     * memory segment (ArrowBuf.getLong checks bounds on every call, which would make the sum, not the hand-over,
     * the larger part of what is measured).
     */
    static long[] sumCount(Partition p) {
        long sum = 0;
        long count = 0;
        for (VectorSchemaRoot batch : p.batches()) {
            BigIntVector v = (BigIntVector) batch.getVector(0);
            int n = batch.getRowCount();
            MemorySegment data = MemorySegment.ofAddress(v.getDataBuffer().memoryAddress()).reinterpret((long) n * Long.BYTES);
            for (long i = 0; i < n; i++) {
                sum += data.getAtIndex(ValueLayout.JAVA_LONG_UNALIGNED, i);
            }
            count += n;
        }
        return new long[] {sum, count};
    }

    // ---------------------------------------------------------------- 1 and 2: hand-over

    /** Submit-to-result seconds of the sum of {@code x} on the workers of {@code on}. */
    static double latency(Client client, SubmitOptions on, TaskFuture<Partition> x, long expected) {
        long start = System.nanoTime();
        long[] sc = client.<long[]>submitWith(on, (io.partita.common.fn.Fn1<Partition, long[]>) DataPlaneTasks::sumCount, x)
                .result(TASK_TIMEOUT);
        double seconds = (System.nanoTime() - start) / 1e9;
        if (sc[0] != expected) {
            throw new IllegalStateException("wrong sum " + sc[0] + ", expected " + expected);
        }
        return seconds;
    }

    static String transferPath(WorkerLoad load) {
        if (load == null) {
            return "unknown (no published load)";
        }
        WorkerLoad.TransferCounters t = load.transfers();
        return String.format(Locale.ROOT, "consumer worker counters: %d segment mappings (%,d MiB), %d Flight fetches "
                        + "(%,d MiB), %d bulk pulls (%,d MiB)", t.segmentInCount(), t.segmentInBytes() / MIB, t.flightInCount(),
                t.flightInBytes() / MIB, t.bulkInCount(), t.bulkInBytes() / MIB);
    }

    static void awaitDone(TaskFuture<?> f) throws InterruptedException {
        awaitDone(f, () -> true);
    }

    /** Waits for {@code f} (at most 5 minutes), failing at once when {@code alive} turns false. */
    static void awaitDone(TaskFuture<?> f, java.util.function.BooleanSupplier alive) throws InterruptedException {
        Instant deadline = Instant.now().plus(TASK_TIMEOUT);
        while (!f.isDone()) {
            if (!alive.getAsBoolean()) {
                throw new IllegalStateException("a Partita process exited while waiting for " + f.key() + " (see its log)");
            }
            if (Instant.now().isAfter(deadline)) {
                throw new IllegalStateException("task " + f.key() + " did not finish within " + TASK_TIMEOUT);
            }
            Thread.sleep(1);
        }
        if (f.state() != java.util.concurrent.Future.State.SUCCESS) {
            f.result(); // throws with the cause
        }
    }

    // ---------------------------------------------------------------- 3: larger than memory

    static Path logs(String name) throws IOException {
        Path dir = Path.of("benchmarks/target/bench-logs/dataplane-" + name).toAbsolutePath();
        java.nio.file.Files.createDirectories(dir);
        return dir;
    }
}
