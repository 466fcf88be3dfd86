package io.partita.scheduler.state;

/** One line of a key's story: what moved it, when, from where to where. */
public record Transition(String key, TaskState from, TaskState to, String stimulusId, long timeMillis) {
    @Override
    public String toString() {
        return timeMillis + " " + key + ": " + from + " -> " + to + " (" + stimulusId + ")";
    }
}
