package io.partita.scheduler.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import io.partita.common.protocol.WorkerInfo;
import io.partita.common.protocol.WorkerLoad;
import io.partita.common.protocol.WorkerReport.TaskDone;
import io.partita.common.task.Arg;
import io.partita.common.task.FunctionSpec;
import io.partita.common.task.GraphSpec;
import io.partita.common.task.TaskSpec;
import io.partita.dashboard.DashboardSource.Page;
import io.partita.scheduler.state.Event;
import io.partita.scheduler.state.SchedulerLimits;
import io.partita.scheduler.state.SchedulerState;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The dashboard's data from a real scheduler state fed events: progress by group, task stream, graph. */
class SchedulerDashboardTest {
    private static final FunctionSpec F = FunctionSpec.of("f", new byte[] {1}, List.of());

    private final SchedulerState state = new SchedulerState("s1", SchedulerLimits.defaults(), sha -> false);
    private final Map<String, WorkerLoad> loads = new ConcurrentHashMap<>();
    private long now = 1_000_000;
    private final SchedulerDashboard dashboard = new SchedulerDashboard(state, loads, JsonObject::new, () -> now);
    private int stimulus;
    private long requests;

    private void on(Event e) {
        state.handle(e, now);
    }

    private String sid() {
        return "s" + stimulus++;
    }

    private static TaskSpec task(String key, String... deps) {
        return TaskSpec.of(key, F.id(), Arrays.stream(deps).<Arg>map(Arg.Ref::new).toList());
    }

    private void submit(List<TaskSpec> tasks, String... wanted) {
        on(new Event.GraphSubmitted(sid(), "c1", ++requests, new GraphSpec(List.of(F), tasks, List.of(wanted))));
    }

    private void done(int thread, String... keys) {
        List<TaskDone> dones = Arrays.stream(keys).map(k -> new TaskDone(k, 8, "Integer", now - 5, 4_000, thread)).toList();
        dashboard.tasksDone("w1", dones);
        on(new Event.TasksFinished(sid(), "w1", dones));
    }

    private JsonObject group(JsonObject status, String name) {
        return status.getJsonArray("groups").stream().map(JsonObject.class::cast)
                .filter(g -> g.getString("name").equals(name)).findFirst().orElse(null);
    }

    private void start() {
        on(new Event.WorkerJoined(sid(), new WorkerInfo("w1", "worker-one", "127.0.0.1", "host", "grpc+tcp://127.0.0.1:1", 0,
                2, 1L << 30, Map.of(), 1, "", ""), List.of()));
        on(new Event.ClientConnected(sid(), "c1"));
    }

    @Test
    void progressByGroupCountsDoneInMemoryAndWaiting() {
        start();
        submit(List.of(task("load-1"), task("load-2"), task("inc-1", "load-1"), task("inc-2", "load-2"),
                task("sum-1", "inc-1", "inc-2")), "sum-1");
        JsonObject load = group(dashboard.page(Page.STATUS, 0), "load");
        assertThat(load.getLong("total")).isEqualTo(2);
        assertThat(load.getLong("processing")).isEqualTo(2);
        assertThat(group(dashboard.page(Page.STATUS, 0), "inc").getLong("waiting")).isEqualTo(2);

        done(1, "load-1", "load-2");
        assertThat(group(dashboard.page(Page.STATUS, 0), "load").getLong("memory")).isEqualTo(2);
        done(2, "inc-1", "inc-2");
        // load-1 and load-2 were released once their dependents had run: done, not in memory
        JsonObject status = dashboard.page(Page.STATUS, 0);
        assertThat(group(status, "load").getLong("done")).isEqualTo(2);
        assertThat(group(status, "load").getLong("memory")).isZero();
        done(1, "sum-1");
        status = dashboard.page(Page.STATUS, 0);
        assertThat(group(status, "sum").getLong("memory")).isEqualTo(1);
        assertThat(group(status, "inc").getLong("done")).isEqualTo(2);
        assertThat(status.getJsonArray("groups").stream().map(JsonObject.class::cast).map(g -> g.getString("name")))
                .containsExactly("load", "inc", "sum");

        // the client lets go: everything is forgotten, the groups stay at 100 % done
        on(new Event.KeysReleased(sid(), "c1", List.of("sum-1")));
        assertThat(state.taskCount()).isZero();
        assertThat(group(dashboard.page(Page.STATUS, 0), "sum").getLong("done")).isEqualTo(1);
        assertThat(group(dashboard.page(Page.STATUS, 0), "load").getLong("total")).isEqualTo(2);

        // a new computation of group "load" starts it again from zero
        submit(List.of(task("load-3")), "load-3");
        assertThat(group(dashboard.page(Page.STATUS, 0), "load").getLong("total")).isEqualTo(1);
    }

    @Test
    void theTaskStreamHasTasksOnTheirThreadsAndEachTransferOnce() {
        start();
        submit(List.of(task("a-1"), task("a-2")), "a-1", "a-2");
        done(1, "a-1");
        done(2, "a-2");
        loads.put("w1", new WorkerLoad("w1", 0, 0, 2, 16, 0, 0, now, null, null, false, 50, now - 60_000,
                List.of(new WorkerLoad.Activity(1, WorkerLoad.Activity.TRANSFER, now - 20, 3_000, 1024, 1, "w2"),
                        new WorkerLoad.Activity(2, WorkerLoad.Activity.SPILL, now - 10, 2_000, 4096, 1, ""))));

        JsonObject first = dashboard.page(Page.STATUS, 0);
        JsonArray spans = first.getJsonObject("stream").getJsonArray("spans");
        assertThat(spans).hasSize(4);
        assertThat(spans.getJsonArray(0).getList()).containsExactly("worker-one", 1, "task", "a", "a-1", now - 5, 4.0);
        assertThat(spans.getJsonArray(1).getInteger(1)).isEqualTo(2);
        assertThat(spans.getJsonArray(2).getString(2)).isEqualTo("transfer");
        assertThat(spans.getJsonArray(3).getString(2)).isEqualTo("spill");

        // the next load repeats the same activity (overlap) with one more: only the new one is sent, once
        loads.put("w1", new WorkerLoad("w1", 0, 0, 2, 16, 0, 0, now + 1000, null, null, false, 50, now - 60_000,
                List.of(new WorkerLoad.Activity(2, WorkerLoad.Activity.SPILL, now - 10, 2_000, 4096, 1, ""),
                        new WorkerLoad.Activity(3, WorkerLoad.Activity.UNSPILL, now, 1_000, 4096, 1, ""))));
        JsonObject next = dashboard.page(Page.STATUS, first.getLong("cursor"));
        assertThat(next.getJsonObject("stream").getJsonArray("spans")).hasSize(1);
        assertThat(next.getJsonObject("stream").getJsonArray("spans").getJsonArray(0).getString(2)).isEqualTo("unspill");
        assertThat(dashboard.page(Page.STATUS, next.getLong("cursor")).getJsonObject("stream").getJsonArray("spans")).isEmpty();

        // spans older than the window are gone
        now += TaskStream.WINDOW_MS + 10_000;
        assertThat(dashboard.page(Page.STATUS, 0).getJsonObject("stream").getJsonArray("spans")).isEmpty();
    }

    @Test
    void theGraphIsDrawnTaskByTaskUntilItIsTooLargeThenByGroup() {
        start();
        submit(List.of(task("load-1"), task("inc-1", "load-1"), task("dbl-1", "load-1"), task("add-1", "inc-1", "dbl-1")),
                "add-1");
        JsonObject graph = dashboard.page(Page.GRAPH, 0).getJsonObject("graph");
        assertThat(graph.getString("mode")).isEqualTo("tasks");
        assertThat(graph.getJsonArray("nodes")).hasSize(4);
        assertThat(graph.getJsonArray("edges")).hasSize(4);
        done(1, "load-1");
        done(1, "inc-1", "dbl-1");
        done(1, "add-1");
        graph = dashboard.page(Page.GRAPH, 0).getJsonObject("graph");
        List<String> states = graph.getJsonArray("nodes").stream().map(n -> ((JsonArray) n).getString(2)).toList();
        assertThat(states).containsExactly("done", "done", "done", "memory");

        List<TaskSpec> many = new ArrayList<>();
        IntStream.range(0, TaskGraph.MAX_DRAWN).forEach(i -> many.add(task("part-" + i)));
        IntStream.range(0, TaskGraph.MAX_DRAWN).forEach(i -> many.add(task("agg-" + i, "part-" + i)));
        submit(many, many.stream().map(TaskSpec::key).toArray(String[]::new));
        graph = dashboard.page(Page.GRAPH, 0).getJsonObject("graph");
        assertThat(graph.getString("mode")).isEqualTo("groups");
        assertThat(graph.getInteger("tasks")).isEqualTo(4 + 2 * TaskGraph.MAX_DRAWN);
        JsonObject part = graph.getJsonArray("groups").stream().map(JsonObject.class::cast)
                .filter(g -> g.getString("name").equals("part")).findFirst().orElseThrow();
        assertThat(part.getJsonObject("counts").getMap().values().stream().mapToLong(v -> ((Number) v).longValue()).sum())
                .isEqualTo(TaskGraph.MAX_DRAWN);
        assertThat(part.getJsonObject("counts").getLong("processing") + part.getJsonObject("counts").getLong("waiting"))
                .isEqualTo(TaskGraph.MAX_DRAWN);
        // the groups of the first computation stay in the picture, with their counts
        assertThat(graph.getJsonArray("groups").stream().map(g -> ((JsonObject) g).getString("name")))
                .containsExactly("load", "inc", "dbl", "add", "part", "agg");
        assertThat(graph.getJsonArray("edges").stream().map(e -> ((JsonArray) e).getList()))
                .contains(List.of("part", "agg", TaskGraph.MAX_DRAWN));
    }

    @Test
    void workersCarryMemoryByTierThePauseThresholdAndWhatTheyProcess() {
        start();
        submit(List.of(task("x-1"), task("x-2"), task("x-3")), "x-1", "x-2", "x-3");
        loads.put("w1", new WorkerLoad("w1", 2, 1, 0, 0, 0, 0, now, new WorkerLoad.MemoryByTier(10, 20, 30, 40, 1000, 800, 50),
                null, true, 150, now - 65_000, List.of()));
        JsonObject w = dashboard.page(Page.WORKERS, 0).getJsonArray("workers").getJsonObject(0);
        assertThat(w.getString("name")).isEqualTo("worker-one");
        assertThat(w.getInteger("processing")).isEqualTo(3);
        assertThat(w.getBoolean("paused")).isTrue();
        assertThat(w.getJsonObject("memory").getMap()).containsEntry("heap", 10L).containsEntry("segments", 20L)
                .containsEntry("spilled", 30L).containsEntry("unmanaged", 40L).containsEntry("limit", 1000L)
                .containsEntry("pauseAt", 800L).containsEntry("tableEngine", 50L);
        assertThat(w.getDouble("cpu")).isEqualTo(150.0);
        assertThat(w.getLong("uptimeMs")).isEqualTo(65_000);
    }
}
