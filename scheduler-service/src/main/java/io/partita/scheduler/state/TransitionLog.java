package io.partita.scheduler.state;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/** The last transitions of all keys, bounded: answers "what happened to key X" (its story). */
final class TransitionLog {
    private final int capacity;
    private final Deque<Transition> log = new ArrayDeque<>();

    TransitionLog(int capacity) {
        this.capacity = capacity;
    }

    void add(Transition t) {
        if (log.size() >= capacity) {
            log.removeFirst();
        }
        log.addLast(t);
    }

    /** Recent transitions of {@code key}, oldest first (at most {@code limit}). */
    List<Transition> story(String key, int limit) {
        List<Transition> all = new ArrayList<>();
        for (Transition tr : log) {
            if (tr.key().equals(key)) {
                all.add(tr);
            }
        }
        return List.copyOf(all.subList(Math.max(0, all.size() - limit), all.size()));
    }
}
