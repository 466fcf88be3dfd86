package io.partita.scheduler.state;

import java.util.List;

/** A move the transition table does not allow: a bug in the scheduler, reported with the key's recent history. */
public final class IllegalTransitionException extends IllegalStateException {
    public IllegalTransitionException(String key, TaskState from, TaskState to, String stimulusId, List<Transition> story) {
        super("illegal transition of " + key + ": " + from + " -> " + to + " (stimulus " + stimulusId
                + "); recent history:\n  " + String.join("\n  ", story.stream().map(Transition::toString).toList()));
    }
}
