package io.partita.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.partita.client.progress.ProgressOutput;
import io.partita.common.protocol.ClientUpdate;
import io.partita.common.task.RemoteError;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ProgressTest {
    private final FakeTransport transport = FakeTransport.withClient();
    private final Client client = transport.client;

    @AfterEach
    void close() {
        client.close();
    }

    @Test
    void progressReturnsOnceEveryFutureEndedAndDrawsTheLastCounts() throws Exception {
        List<TaskFuture<Integer>> futures = client.map((Integer x) -> x + 1, IntStream.range(0, 5).boxed().toList());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        CompletableFuture<Void> waiting = CompletableFuture.runAsync(() ->
                client.progress(futures, ProgressOutput.forced(new PrintStream(out, true, StandardCharsets.UTF_8), 100)));

        client.onUpdate(new ClientUpdate.KeysFinished(futures.subList(0, 4).stream()
                .map(f -> new ClientUpdate.KeyFinished(f.key(), List.of(), "java.lang.Integer", 16)).toList()));
        assertThat(waiting).isNotDone();
        client.onUpdate(new ClientUpdate.KeysErred(List.of(new ClientUpdate.KeyErred(futures.get(4).key(),
                new RemoteError("java.lang.IllegalStateException", "boom", "", null, futures.get(4).key())))));

        waiting.get(10, TimeUnit.SECONDS);
        String text = out.toString(StandardCharsets.UTF_8);
        assertThat(text).contains("5/5 tasks").contains("100%").contains("1 erred");
        assertThat(futures.getFirst().nbytes()).isEqualTo(16);
    }

    @Test
    void computeWithProgressReturnsOnceTheResultEnded() throws Exception {
        Delayed<Integer> d = Delayed.of(() -> 42);
        CompletableFuture<TaskFuture<Integer>> computing = CompletableFuture.supplyAsync(() -> client.compute(d, true));
        transport.lastGraph();
        client.onUpdate(new ClientUpdate.KeysFinished(List.of(
                new ClientUpdate.KeyFinished(d.key(), List.of(), "java.lang.Integer", 16))));
        assertThat(computing.get(10, TimeUnit.SECONDS).status()).isEqualTo(TaskStatus.FINISHED);
    }
}
