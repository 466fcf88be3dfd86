package io.partita.it;

import io.partita.client.Client;
import io.partita.client.SubmitOptions;
import io.partita.client.TaskFuture;
import io.partita.common.data.Partition;
import io.partita.common.fn.Fn0;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

/** Values and tables computed on one worker and held by the client, for tests that take that worker away. */
public final class HeldData {
    /** Rows of each table: 8 MiB tables. */
    public static final int ROWS = 1 << 20;

    private HeldData() {}

    /** Submits, pinned to {@code worker}, 10 values (the squares of 0..9) and 4 tables; values first. */
    public static List<TaskFuture<?>> submitOn(Client client, String worker) {
        SubmitOptions on = SubmitOptions.defaults().workers(List.of(worker));
        List<TaskFuture<?>> data = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            long x = i;
            data.add(client.submitWith(on, (Fn0<Long>) () -> x * x));
        }
        for (int i = 0; i < 4; i++) {
            long first = (long) i * ROWS;
            data.add(client.submitWith(on, (Fn0<Partition>) () -> Tables.longs(first, ROWS)));
        }
        return data;
    }

    /** The sum of every value and every table row, computed on whichever workers are left (5 more tasks). */
    @SuppressWarnings("unchecked")
    public static long total(Client client, List<TaskFuture<?>> data) {
        List<TaskFuture<Long>> parts = new ArrayList<>();
        for (TaskFuture<?> f : data.subList(0, 10)) {
            parts.add((TaskFuture<Long>) f);
        }
        for (TaskFuture<?> f : data.subList(10, data.size())) {
            parts.add(client.submit((Partition p) -> Tables.sum(p), (TaskFuture<Partition>) f));
        }
        return client.submit((List<Long> xs) -> xs.stream().mapToLong(Long::longValue).sum(), parts).result(Duration.ofMinutes(2));
    }

    /** What {@link #total} must be. */
    public static long expected() {
        long values = IntStream.range(0, 10).mapToLong(i -> (long) i * i).sum();
        long n = 4L * ROWS;
        return values + n * (n - 1) / 2;
    }
}
