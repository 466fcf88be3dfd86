package io.partita.client;

/**
 * Hands out the {@link TaskFuture}s of a client: each one more reference on its key, released when the future is
 * released or collected. The helpers that make futures (submission, scatter) depend on this, not on the whole client.
 */
final class KeyFutures {
    private final Client client;
    private final ReleaseBatcher releases;

    KeyFutures(Client client, ReleaseBatcher releases) {
        this.client = client;
        this.releases = releases;
    }

    /** A new future (one more reference) on {@code s}; released when collected. */
    <R> TaskFuture<R> of(KeyState s) {
        return new TaskFuture<>(client, s, new ReleaseAction(releases, s.key));
    }

    /** The cleaning action of a future: it must not reference the future, only the batcher and the key. */
    private record ReleaseAction(ReleaseBatcher releases, String key) implements Runnable {
        @Override
        public void run() {
            releases.release(key);
        }
    }
}
