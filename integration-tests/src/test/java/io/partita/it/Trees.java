package io.partita.it;

import io.partita.client.Client;
import io.partita.client.TaskFuture;
import java.util.ArrayList;
import java.util.List;

/** Graphs that tests build over a running cluster. */
public final class Trees {
    private Trees() {}

    /** A pairwise tree reduction (sum) over {@code leaves}, whose count must be a power of two; returns its root. */
    public static TaskFuture<Long> pairwiseSum(Client client, List<TaskFuture<Long>> leaves) {
        List<TaskFuture<Long>> level = new ArrayList<>(leaves);
        while (level.size() > 1) {
            List<TaskFuture<Long>> next = new ArrayList<>();
            for (int i = 0; i < level.size(); i += 2) {
                next.add(client.submit((Long a, Long b) -> a + b, level.get(i), level.get(i + 1)));
            }
            level = next;
        }
        return level.getFirst();
    }
}
