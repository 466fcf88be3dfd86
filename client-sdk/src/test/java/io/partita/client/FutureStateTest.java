package io.partita.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.partita.common.codec.ValueCodec;
import io.partita.common.protocol.ClientRequest;
import io.partita.common.protocol.ClientUpdate;
import io.partita.common.task.RemoteError;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class FutureStateTest {
    private final FakeTransport transport = FakeTransport.withClient();
    private final Client client = transport.client;

    @AfterEach
    void close() {
        client.close();
    }

    private static RemoteError errorOf(Throwable t, String origin) {
        return new RemoteError(t.getClass().getName(), t.getMessage(), RemoteError.stackTraceOf(t), ValueCodec.encode(t), origin);
    }

    @Test
    void aRemoteExceptionIsRebuiltWithItsRealTypeAndDependentsFailWithTheSameCause() throws Exception {
        TaskFuture<Integer> a = client.submit(() -> 1);
        TaskFuture<Integer> b = client.submit((Integer x) -> x, a);
        IllegalStateException remote = new IllegalStateException("boom");
        RemoteError error = errorOf(remote, a.key());
        client.onUpdate(new ClientUpdate.KeysErred(List.of(new ClientUpdate.KeyErred(a.key(), error),
                new ClientUpdate.KeyErred(b.key(), error))));

        assertThat(a.status()).isEqualTo(TaskStatus.ERROR);
        assertThatThrownBy(a::get).isInstanceOf(ExecutionException.class).cause()
                .isInstanceOf(IllegalStateException.class).hasMessage("boom");
        assertThatThrownBy(a::result).isInstanceOf(TaskFailedException.class).cause()
                .isInstanceOf(IllegalStateException.class);
        Throwable causeA = catchCause(a);
        assertThat(causeA.getStackTrace()).isEqualTo(remote.getStackTrace());
        assertThat(catchCause(b)).isSameAs(causeA);
        CompletableFuture<Integer> cf = b.toCompletableFuture();
        assertThatThrownBy(cf::join).cause().isSameAs(causeA);
    }

    private static Throwable catchCause(TaskFuture<?> f) {
        try {
            f.get(1, TimeUnit.SECONDS);
            throw new AssertionError("no failure");
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void anExceptionTheClientCannotLoadBecomesARemoteTaskException() {
        TaskFuture<Integer> a = client.submit(() -> 1);
        String trace = "com.example.Missing: bad input\n\tat com.example.Job.run(Job.java:42)\n\tat java.base/java.lang.Thread.run(Thread.java:1583)\n";
        client.onUpdate(new ClientUpdate.KeysErred(List.of(new ClientUpdate.KeyErred(a.key(),
                new RemoteError("com.example.Missing", "bad input", trace, new byte[] {1, 2, 3}, a.key())))));
        assertThatThrownBy(a::result).isInstanceOf(TaskFailedException.class).cause()
                .isInstanceOfSatisfying(RemoteTaskException.class, e -> {
                    assertThat(e.remoteType()).isEqualTo("com.example.Missing");
                    assertThat(e.getMessage()).contains("com.example.Missing: bad input").contains(a.key());
                    assertThat(e.remoteStackTrace()).isEqualTo(trace);
                    assertThat(e.getStackTrace()[0]).isEqualTo(new StackTraceElement("com.example.Job", "run", "Job.java", 42));
                });
    }

    @Test
    void cancellingSendsCancelKeysAndFailsTheFuture() throws Exception {
        TaskFuture<Integer> a = client.submit(() -> 1);
        assertThat(a.cancel(true)).isTrue();
        assertThat(transport.next(ClientRequest.CancelKeys.class).keys()).containsExactly(a.key());
        assertThat(a.isCancelled()).isTrue();
        assertThat(a.isDone()).isTrue();
        assertThatThrownBy(a::get).isInstanceOf(CancellationException.class);
        assertThat(a.cancel(true)).isFalse();

        TaskFuture<Integer> b = client.submit(() -> 2);
        client.onUpdate(new ClientUpdate.KeysCancelled(0, List.of(b.key()), "cancelled by another client"));
        assertThat(b.status()).isEqualTo(TaskStatus.CANCELLED);
        assertThatThrownBy(b::result).isInstanceOf(CancellationException.class).hasMessageContaining("another client");
    }

    @Test
    void releasingEachFutureDropsOneReferenceInBatches() throws Exception {
        Delayed<Integer> d = Delayed.of(() -> 1);
        TaskFuture<Integer> f1 = client.compute(d);
        TaskFuture<Integer> f2 = client.compute(d);
        assertThat(client.heldKeys()).isEqualTo(1);
        f1.release();
        f1.release();
        assertThat(transport.next(ClientRequest.ReleaseKeys.class).keys()).containsExactly(d.key());
        assertThat(client.heldKeys()).isEqualTo(1);
        f2.release();
        assertThat(transport.next(ClientRequest.ReleaseKeys.class).keys()).containsExactly(d.key());
        assertThat(client.heldKeys()).isZero();
        // an update for a released key is ignored
        client.onUpdate(new ClientUpdate.KeysFinished(List.of(new ClientUpdate.KeyFinished(d.key(), List.of(), "Integer", 4))));
        assertThat(client.heldKeys()).isZero();

        List<TaskFuture<Integer>> many = client.map(x -> x, IntStream.range(0, 500).boxed().toList());
        many.forEach(TaskFuture::release);
        List<String> released = new ArrayList<>();
        while (released.size() < 500) {
            released.addAll(transport.next(ClientRequest.ReleaseKeys.class).keys());
        }
        assertThat(released).containsExactlyInAnyOrderElementsOf(many.stream().map(TaskFuture::key).toList());
        assertThat(client.heldKeys()).isZero();
    }

    @Test
    void unreachableFuturesAreReleased() throws Exception {
        Set<String> keys = new HashSet<>();
        List<TaskFuture<Integer>> many = client.map(x -> x, IntStream.range(0, 2000).boxed().toList());
        many.forEach(f -> keys.add(f.key()));
        many = null;
        Set<String> released = new HashSet<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (released.size() < keys.size() && System.nanoTime() < deadline) {
            System.gc();
            ClientRequest r = transport.sent.poll(100, TimeUnit.MILLISECONDS);
            if (r instanceof ClientRequest.ReleaseKeys rk) {
                released.addAll(rk.keys());
            }
        }
        assertThat(released).isEqualTo(keys);
        assertThat(client.heldKeys()).isZero();
    }

    @Test
    void closingFailsPendingFuturesAsLost() {
        TaskFuture<Integer> a = client.submit(() -> 1);
        client.close();
        assertThat(a.status()).isEqualTo(TaskStatus.LOST);
        assertThatThrownBy(a::result).isInstanceOf(TaskFailedException.class).cause().isInstanceOf(PartitaException.class);
        assertThatThrownBy(() -> client.submit(() -> 2)).isInstanceOf(PartitaException.class);
    }
}
