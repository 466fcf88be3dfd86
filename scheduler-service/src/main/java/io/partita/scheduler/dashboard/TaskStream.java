package io.partita.scheduler.dashboard;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayDeque;
import java.util.Iterator;

/**
 * The task stream's spans of the last {@link #WINDOW_MS}: tasks (per worker thread), transfers and spills (per
 * worker), at most {@link #CAPACITY}, numbered so that a viewer gets only what is new since its cursor.
 */
final class TaskStream {
    static final long WINDOW_MS = 5 * 60_000;
    static final int CAPACITY = 100_000;
    /** A viewer gets at most this many spans per update (the newest); the page keeps what it can draw. */
    static final int MAX_PER_UPDATE = 20_000;

    static final String TASK = "task";

    /** @param thread the worker's task thread (1..n), 0 for transfers and spills */
    record Span(long seq, String worker, int thread, String kind, String group, String label, long startMillis,
                double durationMillis) {}

    private final ArrayDeque<Span> spans = new ArrayDeque<>();
    private long seq;

    void add(String worker, int thread, String kind, String group, String label, long startMillis, long durationMicros) {
        if (spans.size() >= CAPACITY) {
            spans.removeFirst();
        }
        spans.addLast(new Span(++seq, worker, thread, kind, group, label, startMillis, durationMicros / 1000.0));
    }

    /** The spans after {@code cursor} (the newest {@link #MAX_PER_UPDATE}), with the next cursor. */
    JsonObject since(long cursor, long now) {
        while (!spans.isEmpty() && spans.peekFirst().startMillis() + spans.peekFirst().durationMillis() < now - WINDOW_MS) {
            spans.removeFirst();
        }
        java.util.List<Span> newer = new java.util.ArrayList<>();
        for (Iterator<Span> it = spans.descendingIterator(); it.hasNext() && newer.size() < MAX_PER_UPDATE; ) {
            Span s = it.next();
            if (s.seq() <= cursor) {
                break;
            }
            newer.add(s);
        }
        JsonArray out = new JsonArray();
        for (Span s : newer.reversed()) {
            out.add(new JsonArray().add(s.worker()).add(s.thread()).add(s.kind()).add(s.group()).add(s.label())
                    .add(s.startMillis()).add(Math.round(s.durationMillis() * 1000) / 1000.0));
        }
        return new JsonObject().put("cursor", seq).put("windowMs", WINDOW_MS).put("spans", out);
    }

    long cursor() {
        return seq;
    }
}
