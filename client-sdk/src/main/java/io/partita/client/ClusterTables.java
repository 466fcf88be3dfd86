package io.partita.client;

import io.partita.client.table.physical.PhysicalPlan;
import io.partita.client.table.physical.StageTask;
import io.partita.client.table.physical.TableExecutor;
import io.partita.common.table.InspectParquet;
import io.partita.common.table.ParquetDataset;
import io.partita.common.table.TableFunction;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs table plans on the cluster: each stage task becomes an ordinary task of the built-in {@link TableFunction}
 * (its stage a literal argument, its inputs the keys it reads), the whole plan one graph.
 */
final class ClusterTables implements TableExecutor {
    private final Client client;
    private final long maxBroadcastBytes;

    /** @param maxBroadcastBytes the client's limit for a join's broadcast side, 0 for the default */
    ClusterTables(Client client, long maxBroadcastBytes) {
        this.client = client;
        this.maxBroadcastBytes = maxBroadcastBytes;
    }

    @Override
    public io.partita.client.table.physical.StagePlanner.Options options(String job) {
        var o = io.partita.client.table.physical.StagePlanner.Options.of(job);
        return maxBroadcastBytes > 0 ? o.withMaxBroadcastBytes(maxBroadcastBytes) : o;
    }

    @Override
    public ParquetDataset inspect(String pathOrGlob) {
        Delayed<Object> task = Delayed.withOptions(SubmitOptions.defaults().prefix("read_parquet_metadata"),
                TableFunction.INSTANCE, new InspectParquet(pathOrGlob));
        TaskFuture<Object> f = client.compute(task);
        try {
            return (ParquetDataset) f.result();
        } finally {
            f.release();
        }
    }

    @Override
    public io.partita.common.table.CsvDataset inspectCsv(String pathOrGlob, io.partita.common.table.CsvFormat format) {
        Delayed<Object> task = Delayed.withOptions(SubmitOptions.defaults().prefix("read_csv_metadata"),
                TableFunction.INSTANCE, new io.partita.common.table.InspectCsv(pathOrGlob, format));
        TaskFuture<Object> f = client.compute(task);
        try {
            return (io.partita.common.table.CsvDataset) f.result();
        } finally {
            f.release();
        }
    }

    @Override
    public Held put(io.partita.common.data.Partition partition) {
        TaskFuture<io.partita.common.data.Partition> f = client.scatter(partition);
        return new Held(f.key(), f);
    }

    @Override
    public List<Object> persist(PhysicalPlan plan) {
        List<TaskFuture<Object>> futures = submit(plan);
        for (TaskFuture<Object> f : futures) {
            f.keyState().done.join(); // computed, not fetched
            if (f.status() != TaskStatus.FINISHED) {
                futures.forEach(TaskFuture::release);
                f.result(); // throws the task's error
            }
        }
        return List.copyOf(futures);
    }

    @Override
    public List<Object> run(PhysicalPlan plan) {
        List<TaskFuture<Object>> futures = submit(plan);
        List<Object> values = new ArrayList<>(futures.size());
        try {
            for (TaskFuture<Object> f : futures) {
                values.add(f.result());
            }
            return values;
        } catch (RuntimeException e) {
            values.forEach(v -> {
                if (v instanceof AutoCloseable c) {
                    try {
                        c.close();
                    } catch (Exception ignored) {
                        // already failing: the first error is the one to report
                    }
                }
            });
            throw e;
        } finally {
            futures.forEach(TaskFuture::release);
        }
    }

    private List<TaskFuture<Object>> submit(PhysicalPlan plan) {
        Map<String, Delayed<Object>> nodes = new HashMap<>();
        for (StageTask t : plan.tasks()) {
            if (t.fn() != null) { // user code: an ordinary task of its function, shipped with its classes
                String in = t.inputs().getFirst();
                nodes.put(t.key(), Delayed.withOptions(SubmitOptions.defaults().key(t.key()), t.fn(),
                        nodes.containsKey(in) ? nodes.get(in) : plan.external().get(in)));
                continue;
            }
            List<Object> args = new ArrayList<>();
            args.add(t.stage());
            t.inputs().forEach(k -> args.add(nodes.containsKey(k) ? nodes.get(k) : plan.external().get(k)));
            nodes.put(t.key(), Delayed.withOptions(SubmitOptions.defaults().key(t.key()), TableFunction.INSTANCE,
                    args.toArray()));
        }
        List<Delayed<Object>> outputs = plan.outputs().stream().map(nodes::get).toList();
        return client.compute(outputs);
    }
}
