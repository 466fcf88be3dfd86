package io.partita.client;

import io.partita.client.table.plan.Plans;
import java.util.Arrays;
import java.util.List;

/** {@code frame.groupBy(keys)}: waiting for its aggregates. */
public final class GroupedFrame {
    private final Frame frame;
    private final List<String> keys;

    GroupedFrame(Frame frame, List<String> keys) {
        this.frame = frame;
        this.keys = List.copyOf(keys);
    }

    /** One row per group: the keys, then each aggregate under its name. Partials per partition, then combines. */
    public Frame agg(Agg... aggs) {
        return frame.with(Plans.aggregate(frame.plan(), keys, Arrays.stream(aggs).map(Agg::toPlan).toList()));
    }
}
