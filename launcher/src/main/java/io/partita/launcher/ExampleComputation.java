package io.partita.launcher;

import io.partita.client.Client;
import io.partita.client.TaskFuture;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

/** The example {@code partita local --example} runs: squares of 1..1000 in parallel, then a tree reduction. */
final class ExampleComputation {
    private ExampleComputation() {}

    static long run(Client client, PrintStream out) {
        long start = System.nanoTime();
        List<Integer> numbers = IntStream.rangeClosed(1, 1000).boxed().toList();
        List<TaskFuture<Long>> level = new ArrayList<>(client.map((Integer x) -> (long) x * x, numbers));
        while (level.size() > 1) {
            List<TaskFuture<Long>> next = new ArrayList<>();
            for (int i = 0; i < level.size(); i += 2) {
                next.add(i + 1 < level.size()
                        ? client.submit((Long a, Long b) -> a + b, level.get(i), level.get(i + 1))
                        : level.get(i));
            }
            level = next;
        }
        long sum = level.getFirst().result();
        out.printf("Example: sum of squares of 1..1000 = %d (1,000 map tasks + 999 reduce tasks in %d ms)%n",
                sum, (System.nanoTime() - start) / 1_000_000);
        return sum;
    }
}
