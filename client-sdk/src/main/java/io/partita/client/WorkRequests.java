package io.partita.client;

import io.partita.common.protocol.ClientRequest;
import io.partita.common.protocol.ClientUpdate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** The client's requests about work already submitted: cancelling tasks, retiring workers. */
final class WorkRequests {
    private final Connection connection;
    private final UpdateHandler updates;

    WorkRequests(Connection connection, UpdateHandler updates) {
        this.connection = connection;
        this.updates = updates;
    }

    /** Fails the futures still pending as cancelled and asks the scheduler to cancel; returns how many were pending. */
    int cancel(Collection<? extends TaskFuture<?>> futures) {
        connection.checkOpen();
        List<String> ks = new ArrayList<>(futures.size());
        int cancelled = 0;
        for (TaskFuture<?> f : futures) {
            ks.add(f.key());
            if (f.keyState().failed(TaskStatus.CANCELLED, new CancellationException("task " + f.key() + " was cancelled"))) {
                cancelled++;
            }
        }
        connection.send(new ClientRequest.CancelKeys(connection.nextRequestId(), ks));
        return cancelled;
    }

    /** Asks the scheduler to retire {@code workers} and waits for their ids (see {@link Client#retireWorkers}). */
    List<String> retire(Collection<String> workers, Duration timeout) {
        connection.checkOpen();
        long requestId = connection.nextRequestId();
        CompletableFuture<ClientUpdate> reply = updates.expectReply(requestId);
        connection.send(new ClientRequest.RetireWorkers(requestId, List.copyOf(workers)));
        try {
            return ((ClientUpdate.WorkersRetired) reply.get(timeout.toMillis(), TimeUnit.MILLISECONDS)).workerIds();
        } catch (ExecutionException e) {
            throw e.getCause() instanceof PartitaException p ? p : new PartitaException("retiring " + workers + " failed", e.getCause());
        } catch (TimeoutException e) {
            updates.forgetReply(requestId);
            throw new PartitaException("workers " + workers + " were not retired within " + timeout
                    + " (they may still be handing their keys over)");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PartitaException("interrupted while retiring " + workers);
        }
    }
}
