package io.partita.common.flight;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.apache.arrow.flight.CallStatus;
import org.apache.arrow.flight.FlightClient;
import org.apache.arrow.flight.PutResult;

/**
 * The end of one DoPut as a future: the listener every DoPut of ours passes to {@code startPut}.
 *
 * <p>Flight's {@code putNext} busy-waits until the call is ready <em>or the listener says it is cancelled</em>. A call
 * the server has ended (a refused token, a full disk) is never ready again, so a listener must report an ended call
 * as cancelled, as Flight's own {@code AsyncPutListener} does; {@link FlightClient.PutListener#isCancelled()} is
 * {@code false} by default, and a listener that kept it left a sender spinning on a core forever when the refusal
 * came between its readiness check and its {@code putNext}.
 */
public final class PutOutcome implements FlightClient.PutListener {
    private final CompletableFuture<Void> done = new CompletableFuture<>();

    /** Whether the server has ended the call (completed or failed). */
    public boolean isDone() {
        return done.isDone();
    }

    @Override
    public boolean isCancelled() {
        return done.isDone();
    }

    @Override
    public void getResult() {
        try {
            done.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw CallStatus.INTERNAL.withCause(e.getCause()).toRuntimeException();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw CallStatus.CANCELLED.withCause(e).withDescription("interrupted").toRuntimeException();
        }
    }

    @Override
    public void onNext(PutResult val) {
        val.close();
    }

    @Override
    public void onError(Throwable t) {
        done.completeExceptionally(t);
    }

    @Override
    public void onCompleted() {
        done.complete(null);
    }
}
