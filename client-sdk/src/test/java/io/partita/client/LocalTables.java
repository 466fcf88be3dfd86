package io.partita.client;

import io.partita.client.table.physical.PhysicalPlan;
import io.partita.client.table.physical.StageTask;
import io.partita.client.table.physical.TableExecutor;
import io.partita.common.data.Partition;
import io.partita.common.table.InspectParquet;
import io.partita.common.table.ParquetDataset;
import io.partita.worker.table.TableEngine;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;

/** Runs physical plans in this process through the worker's real engine, task by task in order (tests only). */
final class LocalTables implements TableExecutor, AutoCloseable {
    private final TableEngine engine;
    private final BufferAllocator allocator;
    int tasksRun;
    /** The client's broadcast limit, as {@code ClientOptions.withMaxBroadcastBytes} sets it; 0 for the default. */
    long maxBroadcastBytes;

    @Override
    public io.partita.client.table.physical.StagePlanner.Options options(String job) {
        var o = io.partita.client.table.physical.StagePlanner.Options.of(job);
        return maxBroadcastBytes > 0 ? o.withMaxBroadcastBytes(maxBroadcastBytes) : o;
    }

    LocalTables(BufferAllocator allocator) {
        this.allocator = allocator;
        this.engine = new TableEngine(2, 512L << 20, null);
    }

    @Override
    public ParquetDataset inspect(String pathOrGlob) {
        try {
            return (ParquetDataset) engine.run(new InspectParquet(pathOrGlob), List.of(), allocator);
        } catch (Exception e) {
            throw new RuntimeException(e.getMessage(), e);
        }
    }

    @Override
    public io.partita.common.table.CsvDataset inspectCsv(String pathOrGlob, io.partita.common.table.CsvFormat format) {
        try {
            return (io.partita.common.table.CsvDataset) engine.run(new io.partita.common.table.InspectCsv(pathOrGlob, format),
                    List.of(), allocator);
        } catch (Exception e) {
            throw new RuntimeException(e.getMessage(), e);
        }
    }

    private final List<Partition> persisted = new ArrayList<>();

    @Override
    public Held put(Partition partition) {
        return new Held("local-" + System.identityHashCode(partition) + "-" + persisted.size(), partition);
    }

    @Override
    public List<Object> persist(PhysicalPlan plan) {
        List<Object> out = run(plan);
        out.forEach(p -> persisted.add((Partition) p));
        return out;
    }

    @Override
    public List<Object> run(PhysicalPlan plan) {
        Map<String, Object> values = new HashMap<>();
        try {
            for (StageTask t : plan.tasks()) {
                List<Partition> inputs = new ArrayList<>();
                t.inputs().forEach(k -> inputs.add((Partition) values.getOrDefault(k, plan.external().get(k))));
                if (t.fn() != null) { // user code, run here as a worker runs it: on the task's allocator
                    @SuppressWarnings("unchecked")
                    var fn = (io.partita.common.fn.Fn1<Partition, Partition>) t.fn();
                    values.put(t.key(), io.partita.common.data.ArrowMemory.withAllocator(allocator, () -> fn.apply(inputs.getFirst())));
                } else {
                    values.put(t.key(), engine.run(t.stage(), inputs, allocator));
                }
                tasksRun++;
            }
            List<Object> out = new ArrayList<>();
            for (String k : plan.outputs()) {
                out.add(values.remove(k));
            }
            return out;
        } catch (Exception e) {
            throw new RuntimeException(e.getMessage(), e);
        } finally {
            values.values().forEach(v -> {
                if (v instanceof Partition p) {
                    p.close();
                }
            });
        }
    }

    @Override
    public void close() throws Exception {
        persisted.forEach(Partition::close);
        engine.close();
    }
}
