package io.partita.it.dashboard;

import io.partita.common.data.ArrowMemory;
import io.partita.common.data.Partition;
import io.partita.common.fn.Fn0;
import io.partita.common.fn.Fn1;
import io.partita.common.fn.Fn2;
import java.util.List;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * The task functions of the dashboard tests, apart from the test class: a worker loads the class a lambda comes from,
 * and the test class refers to Playwright, which workers do not have.
 */
final class DashboardTasks {
    private DashboardTasks() {}

    static Fn1<Integer, Integer> sleepThenEcho(long millis) {
        return i -> {
            Thread.sleep(millis);
            return i;
        };
    }

    static Fn1<List<Integer>, Integer> sum() {
        return xs -> xs.stream().mapToInt(Integer::intValue).sum();
    }

    static Fn0<Integer> constant(int value) {
        return () -> value;
    }

    static Fn1<Integer, Integer> plus(int n) {
        return x -> x + n;
    }

    static Fn1<Integer, Integer> times(int n) {
        return x -> x * n;
    }

    static Fn2<Integer, Integer, Integer> add() {
        return Integer::sum;
    }

    /** A table of one BigInt column of {@code rows} rows, built on the worker. */
    static Fn0<Partition> longs(int rows) {
        return () -> {
            BigIntVector x = new BigIntVector("x", ArrowMemory.allocator());
            x.allocateNew(rows);
            for (int i = 0; i < rows; i++) {
                x.set(i, i);
            }
            x.setValueCount(rows);
            return Partition.of(VectorSchemaRoot.of(x));
        };
    }
}
