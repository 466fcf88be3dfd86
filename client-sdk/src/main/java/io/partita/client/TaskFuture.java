package io.partita.client;

import java.lang.ref.Cleaner;
import java.lang.ref.Reference;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The result of a submitted task, held on the workers until every future for its key is released (explicitly with
 * {@link #release()}, or when the future becomes unreachable). {@link #get()} and {@link #result()} wait for the task
 * and fetch its value; nothing is cached, so each call fetches again.
 */
public final class TaskFuture<R> implements Future<R> {
    static final Cleaner CLEANER = Cleaner.create(r -> {
        Thread t = new Thread(r, "partita-client-cleaner");
        t.setDaemon(true);
        return t;
    });

    private final Client client;
    private final KeyState state;
    private final Cleaner.Cleanable cleanable;

    TaskFuture(Client client, KeyState state, Runnable releaseAction) {
        this.client = client;
        this.state = state;
        this.cleanable = CLEANER.register(this, releaseAction);
    }

    public String key() {
        return state.key;
    }

    public TaskStatus status() {
        return state.status();
    }

    /** Bytes the result takes on its worker, as the worker reported them; 0 until the task finished. */
    public long nbytes() {
        return state.nbytes();
    }

    List<String> artifacts() {
        return state.artifacts;
    }

    KeyState keyState() {
        return state;
    }

    Client client() {
        return client;
    }

    /** The java.util.concurrent view of {@link #status()}, without fetching the value. */
    @Override
    public Future.State state() {
        return switch (state.status()) {
            case PENDING -> Future.State.RUNNING;
            case FINISHED -> Future.State.SUCCESS;
            case CANCELLED -> Future.State.CANCELLED;
            case ERROR, LOST -> Future.State.FAILED;
        };
    }

    @Override
    public boolean isDone() {
        return state.done.isDone();
    }

    @Override
    public boolean isCancelled() {
        return state.status() == TaskStatus.CANCELLED;
    }

    /** Cancels the task (and the tasks only it needs) on the scheduler; false when it had already ended. */
    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
        try {
            return client.cancel(List.of(this)) > 0;
        } finally {
            Reference.reachabilityFence(this);
        }
    }

    @Override
    public R get() throws InterruptedException, ExecutionException {
        try {
            state.done.get();
            return valueOrThrow();
        } finally {
            Reference.reachabilityFence(this);
        }
    }

    @Override
    public R get(long timeout, TimeUnit unit) throws InterruptedException, ExecutionException, TimeoutException {
        try {
            state.done.get(timeout, unit);
            return valueOrThrow();
        } finally {
            Reference.reachabilityFence(this);
        }
    }

    /** Waits and returns the value; a failed task throws {@link TaskFailedException} with the remote exception as cause. */
    public R result() {
        try {
            state.done.join();
            return valueOrThrowUnchecked();
        } finally {
            Reference.reachabilityFence(this);
        }
    }

    /** Like {@link #result()}, waiting at most {@code timeout}. */
    public R result(Duration timeout) {
        try {
            state.done.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
            return valueOrThrowUnchecked();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PartitaException("interrupted while waiting for " + key(), e);
        } catch (TimeoutException e) {
            throw new PartitaException("task " + key() + " did not finish within " + timeout + " (status " + status() + ")", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException(e);
        } finally {
            Reference.reachabilityFence(this);
        }
    }

    /**
     * A CompletableFuture that completes with the value once the task finished and its value was fetched (or
     * exceptionally with the remote exception / a CancellationException). This future stays referenced until then.
     */
    public CompletableFuture<R> toCompletableFuture() {
        return state.done.thenApplyAsync(ignored -> {
            try {
                return valueOrThrowUnchecked();
            } catch (TaskFailedException e) {
                throw new java.util.concurrent.CompletionException(e.getCause());
            }
        }, client.pool());
    }

    /** Drops this future's reference to the key: the scheduler frees the result when no one else needs it. */
    public void release() {
        cleanable.clean();
    }

    private R valueOrThrow() throws ExecutionException {
        TaskStatus s = state.status();
        return switch (s) {
            case FINISHED -> {
                try {
                    yield client.gather(List.of(this)).getFirst();
                } catch (RuntimeException e) {
                    throw new ExecutionException(e);
                }
            }
            case CANCELLED -> throw cancellation();
            case ERROR, LOST -> throw new ExecutionException(state.error());
            case PENDING -> throw new IllegalStateException("task " + key() + " is still pending");
        };
    }

    private R valueOrThrowUnchecked() {
        TaskStatus s = state.status();
        return switch (s) {
            case FINISHED -> client.gather(List.of(this)).getFirst();
            case CANCELLED -> throw cancellation();
            case ERROR, LOST -> throw new TaskFailedException(key(), state.error());
            case PENDING -> throw new IllegalStateException("task " + key() + " is still pending");
        };
    }

    private CancellationException cancellation() {
        CancellationException c = new CancellationException("task " + key() + " was cancelled");
        if (state.error() != null && !(state.error() instanceof CancellationException)) {
            c.initCause(state.error());
        }
        return state.error() instanceof CancellationException ce ? ce : c;
    }

    @Override
    public String toString() {
        return "TaskFuture[" + key() + ", " + status() + "]";
    }
}
