package io.partita.worker.state;

import java.util.ArrayDeque;
import java.util.List;

/** The recorded state changes of tasks, oldest first, bounded: answers "what happened to key X". */
final class TaskStory {
    private static final int LIMIT = 10_000;

    private final ArrayDeque<WorkerState.Transition> transitions = new ArrayDeque<>();

    void record(WorkerState.Transition t) {
        if (transitions.size() >= LIMIT) {
            transitions.pollFirst();
        }
        transitions.addLast(t);
    }

    List<WorkerState.Transition> of(String key) {
        return transitions.stream().filter(t -> t.key().equals(key)).toList();
    }
}
