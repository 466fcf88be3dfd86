package io.partita.it;

import io.partita.common.data.Partition;
import io.partita.common.fn.Fn0;
import io.partita.common.fn.Fn1;
import java.util.List;

/** Task functions of the TLS tests, in a class of their own: the workers load the class a lambda comes from. */
final class TlsTasks {
    private TlsTasks() {}

    static Fn1<Integer, Integer> sleepThenEcho(long millis) {
        return i -> {
            Thread.sleep(millis);
            return i;
        };
    }

    static Fn1<List<Integer>, Integer> sum() {
        return xs -> xs.stream().mapToInt(Integer::intValue).sum();
    }

    static Fn0<Partition> longs(long first, int rows) {
        return () -> Tables.longs(first, rows);
    }

    static Fn1<Partition, Long> sumOfTable() {
        return Tables::sum;
    }
}
