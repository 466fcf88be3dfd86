package io.partita.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.partita.common.codec.ValueCodec;
import io.partita.common.fn.Fn1;
import io.partita.common.fn.Functions;
import io.partita.common.task.Arg;
import io.partita.common.task.GraphSpec;
import io.partita.common.task.Keys;
import io.partita.common.task.TaskSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ClientGraphTest {
    private final FakeTransport transport = FakeTransport.withClient();
    private final Client client = transport.client;

    @AfterEach
    void close() {
        client.close();
    }

    @Test
    void aFutureArgumentBecomesARefAndEachFutureIsWantedOnce() throws Exception {
        TaskFuture<Integer> a = client.submit(() -> 1);
        GraphSpec first = transport.lastGraph().graph();
        assertThat(first.tasks()).singleElement().satisfies(t -> assertThat(t.args()).isEmpty());
        assertThat(first.wanted()).containsExactly(a.key());

        TaskFuture<Integer> b = client.submit((Integer x) -> x + 1, a);
        GraphSpec second = transport.lastGraph().graph();
        TaskSpec t = second.tasks().getFirst();
        assertThat(second.tasks()).hasSize(1);
        assertThat(t.key()).isEqualTo(b.key());
        assertThat(t.args()).containsExactly(new Arg.Ref(a.key()));
        assertThat(t.dependencies()).containsExactly(a.key());
        assertThat(second.wanted()).containsExactly(b.key());
        assertThat(second.functions()).singleElement().satisfies(f -> {
            assertThat(f.id()).isEqualTo(t.function());
            assertThat(f.artifacts()).singleElement().satisfies(d -> assertThat(d).matches("[0-9a-f]{64}"));
        });
    }

    @Test
    void aBigMapIsSentAsSeveralGraphsInOrder() throws Exception {
        int n = GraphSubmitter.MAP_GRAPH_TASKS * 2 + 1;
        List<TaskFuture<Integer>> futures = client.map((Integer x) -> x, java.util.stream.IntStream.range(0, n).boxed().toList());
        assertThat(futures).hasSize(n);
        List<String> sentKeys = new java.util.ArrayList<>();
        for (int g = 0; g < 3; g++) {
            GraphSpec graph = transport.lastGraph().graph();
            assertThat(graph.tasks()).hasSize(g < 2 ? GraphSubmitter.MAP_GRAPH_TASKS : 1);
            graph.tasks().forEach(t -> sentKeys.add(t.key()));
        }
        assertThat(sentKeys).containsExactlyElementsOf(futures.stream().map(TaskFuture::key).toList());
    }

    @Test
    void aListHoldingFuturesBecomesAListArgAndAPlainListALiteral() throws Exception {
        TaskFuture<Integer> a = client.submit(() -> 1);
        transport.lastGraph();
        client.submit((List<Integer> xs) -> xs.size(), List.of(a, 5));
        Arg arg = transport.lastGraph().graph().tasks().getFirst().args().getFirst();
        assertThat(arg).isInstanceOf(Arg.ListArg.class);
        List<Arg> items = ((Arg.ListArg) arg).items();
        assertThat(items.get(0)).isEqualTo(new Arg.Ref(a.key()));
        assertThat(ValueCodec.decode(((Arg.Literal) items.get(1)).value(), getClass().getClassLoader())).isEqualTo(5);

        client.submit((List<Integer> xs) -> xs.size(), List.of(1, 2));
        Arg plain = transport.lastGraph().graph().tasks().getFirst().args().getFirst();
        assertThat(ValueCodec.decode(((Arg.Literal) plain).value(), getClass().getClassLoader())).isEqualTo(List.of(1, 2));
    }

    @Test
    void mapSendsOneGraphWithOneFunctionAndOneWantedKeyPerItem() throws Exception {
        Fn1<Integer, Integer> square = x -> x * x;
        List<TaskFuture<Integer>> futures = client.map(square, IntStream.range(0, 1000).boxed().toList());
        GraphSpec g = transport.lastGraph().graph();
        assertThat(transport.sent).isEmpty();
        assertThat(g.functions()).hasSize(1);
        assertThat(g.tasks()).hasSize(1000).allSatisfy(t -> assertThat(t.function()).isEqualTo(g.functions().getFirst().id()));
        assertThat(g.wanted()).containsExactlyElementsOf(futures.stream().map(TaskFuture::key).toList()).doesNotHaveDuplicates();
        String group = Keys.sanitizeGroup(Functions.nameOf(square));
        assertThat(futures).allSatisfy(f -> {
            assertThat(Keys.group(f.key())).isEqualTo(group);
            assertThat(f.key()).matches(".*-[0-9a-f]{32}");
        });
        assertThat(client.heldKeys()).isEqualTo(1000);
    }

    @Test
    void computeSubmitsEverySharedDelayedNodeOnce() throws Exception {
        Delayed<Integer> x = Delayed.of(() -> 2);
        Delayed<Integer> y = Delayed.of((Integer a) -> a + 1, x);
        Delayed<Integer> z = Delayed.of((Integer a, Integer b) -> a * b, x, y);
        TaskFuture<Integer> fz = client.compute(z);
        GraphSpec g = transport.lastGraph().graph();
        assertThat(g.tasks()).extracting(TaskSpec::key).containsExactly(x.key(), y.key(), z.key());
        assertThat(g.tasks().get(2).args()).containsExactly(new Arg.Ref(x.key()), new Arg.Ref(y.key()));
        assertThat(g.wanted()).containsExactly(fz.key());
        assertThat(g.functions()).hasSize(3);

        List<TaskFuture<Integer>> both = client.compute(List.of(y, z));
        GraphSpec g2 = transport.lastGraph().graph();
        assertThat(g2.tasks()).extracting(TaskSpec::key).containsExactly(x.key(), y.key(), z.key());
        assertThat(g2.wanted()).containsExactly(y.key(), z.key());
        assertThat(both.get(1).key()).isEqualTo(fz.key());
    }

    @Test
    void optionsReachTheTaskSpec() throws Exception {
        client.submitWith(SubmitOptions.defaults().key("my-key").retries(2).priority(7), (io.partita.common.fn.Fn0<Integer>) () -> 1);
        TaskSpec t = transport.lastGraph().graph().tasks().getFirst();
        assertThat(t.key()).isEqualTo("my-key");
        assertThat(t.retries()).isEqualTo(2);
        assertThat(t.priority()).isEqualTo(7);
    }

    @Test
    void aRefusedGraphFailsItsFuturesWithTheSchedulersMessage() {
        transport.rejectWith = "task x-1 depends on unknown key y-2";
        TaskFuture<Integer> refused = client.submit(() -> 1);
        assertThatThrownBy(refused::result).isInstanceOf(TaskFailedException.class)
                .cause().isInstanceOf(GraphRejectedException.class).hasMessage("task x-1 depends on unknown key y-2");
        refused.release();
        assertThat(client.heldKeys()).isZero();
    }

    @Test
    void aFunctionCapturingSomethingNotSerializableFailsClearly() {
        Object notSerializable = new Object();
        List<Object> holder = new ArrayList<>(List.of(notSerializable));
        assertThatThrownBy(() -> client.submit(() -> holder.getFirst().hashCode()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cannot be sent to workers");
    }
}
