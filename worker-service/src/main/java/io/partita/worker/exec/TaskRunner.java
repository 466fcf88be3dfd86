package io.partita.worker.exec;

import io.partita.common.codec.ValueCodec;
import io.partita.common.data.ArrowMemory;
import io.partita.common.data.Partition;
import io.partita.common.fn.FnN;
import io.partita.common.fn.Functions;
import io.partita.common.table.TableFunction;
import io.partita.common.table.TableTask;
import io.partita.common.protocol.WorkerCommand.ExecuteTask;
import io.partita.common.task.Arg;
import io.partita.common.task.FunctionSpec;
import io.partita.common.task.RemoteError;
import io.partita.common.net.Causes;
import io.partita.worker.code.CodeFetchException;
import io.partita.worker.code.CodeLoader;
import io.partita.worker.state.WorkerEvent;
import io.partita.worker.store.ObjectStore;
import io.partita.worker.table.TableEngine;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one task on the calling (pool) thread and turns the outcome into an event; it never throws.
 *
 * <p>Memory: the task's inputs are pinned in the store (not spilled) while it runs; a table input is passed as a
 * zero-copy {@link Partition} view of its segment, closed here after the run. The task runs with its own child
 * allocator as {@link ArrowMemory#allocator()}; a {@link Partition} it returns is written to a segment and closed,
 * then the child allocator is closed (what the task leaked is logged, not fatal).
 */
public final class TaskRunner {
    private static final Logger LOG = LoggerFactory.getLogger(TaskRunner.class);

    private final CodeLoader code;
    private final ObjectStore store;
    private final BufferAllocator allocator;
    /** Numbers the pool's threads 1, 2, ... as they run their first task: the task stream's rows. */
    private final java.util.concurrent.atomic.AtomicInteger threads = new java.util.concurrent.atomic.AtomicInteger();
    private final ThreadLocal<Integer> threadNumber = ThreadLocal.withInitial(threads::incrementAndGet);

    private final TableEngine tables;

    /** @param allocator parent of each task's child allocator */
    public TaskRunner(CodeLoader code, ObjectStore store, BufferAllocator allocator) {
        this(code, store, allocator, null);
    }

    /** @param tables the engine of table tasks ({@link TableFunction}), or null when this worker runs none */
    public TaskRunner(CodeLoader code, ObjectStore store, BufferAllocator allocator, TableEngine tables) {
        this.code = code;
        this.store = store;
        this.allocator = allocator;
        this.tables = tables;
    }

    /** @param function the task's function spec, or null when the scheduler never sent it */
    public WorkerEvent run(ExecuteTask task, FunctionSpec function, String stimulusId) {
        String key = task.key();
        if (function == null) {
            return new WorkerEvent.TaskErred(stimulusId, key, RemoteError.of("io.partita.worker.MissingFunction",
                    "function " + task.function() + " was not sent to this worker", key));
        }
        List<String> inputs = List.copyOf(Arg.keysOf(task.args()));
        List<Partition> views = new ArrayList<>();
        store.pin(inputs);
        try {
            return run(task, function, stimulusId, views);
        } finally {
            for (Partition view : views) {
                view.close();
            }
            store.unpin(inputs);
        }
    }

    private WorkerEvent run(ExecuteTask task, FunctionSpec function, String stimulusId, List<Partition> views) {
        String key = task.key();
        CodeLoader.LoadedFunction fn;
        List<Object> args;
        try {
            fn = builtin(code.function(function));
            args = new ArrayList<>(task.args().size());
            for (Arg arg : task.args()) {
                args.add(resolve(arg, fn.loader(), views));
            }
        } catch (CodeFetchException e) { // this worker's transport failed, not the task: another worker may run it
            LOG.warn("task {} cannot start here: {}", key, e.getMessage());
            return new WorkerEvent.TaskErred(stimulusId, key, systemError(e, key), true);
        } catch (RuntimeException | LinkageError e) { // a class of the task's jars that cannot be loaded is its error
            LOG.warn("task {} cannot be loaded: {}", key, Causes.describe(e));
            return new WorkerEvent.TaskErred(stimulusId, key, systemError(e, key));
        }
        BufferAllocator taskAllocator = allocator.newChildAllocator("task-" + key, 0, Long.MAX_VALUE);
        try {
            return invoke(task, fn, args, stimulusId, taskAllocator);
        } finally {
            closeTaskAllocator(key, taskAllocator, views);
        }
    }

    private WorkerEvent invoke(ExecuteTask task, CodeLoader.LoadedFunction fn, List<Object> args, String stimulusId,
                               BufferAllocator taskAllocator) {
        String key = task.key();
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(fn.loader());
        long startMillis = System.currentTimeMillis();
        long t0 = System.nanoTime();
        Object result;
        try {
            result = ArrowMemory.withAllocator(taskAllocator, () -> Functions.invoke(fn.function(), args));
        } catch (Throwable t) {
            if (t instanceof VirtualMachineError vm && !(t instanceof StackOverflowError)) {
                throw vm;
            }
            return new WorkerEvent.TaskErred(stimulusId, key, userError(t, key));
        } finally {
            thread.setContextClassLoader(previous);
        }
        long micros = (System.nanoTime() - t0) / 1_000;
        if (result instanceof Partition table) {
            try {
                long size = store.putTable(key, table); // takes it over and closes it
                return new WorkerEvent.TaskCompleted(stimulusId, key, size, Partition.TYPE, startMillis, micros,
                        threadNumber.get());
            } catch (RuntimeException e) {
                return new WorkerEvent.TaskErred(stimulusId, key, new RemoteError(e.getClass().getName(),
                        "the table returned by task " + key + " cannot be stored: " + e.getMessage(),
                        RemoteError.stackTraceOf(e), null, key));
            }
        }
        byte[] bytes;
        try {
            bytes = ValueCodec.encode(result);
        } catch (RuntimeException | LinkageError e) {
            return new WorkerEvent.TaskErred(stimulusId, key, new RemoteError(e.getClass().getName(),
                    "the result of task " + key + " cannot be stored: " + e.getMessage(), RemoteError.stackTraceOf(e),
                    null, key));
        }
        store.put(key, bytes);
        return new WorkerEvent.TaskCompleted(stimulusId, key, bytes.length, ValueCodec.typeName(result), startMillis, micros,
                threadNumber.get());
    }

    /** A table task's function carries no code: the engine runs it, on the task's allocator. */
    private CodeLoader.LoadedFunction builtin(CodeLoader.LoadedFunction fn) {
        if (!(fn.function() instanceof TableFunction) || tables == null) {
            return fn;
        }
        FnN<Object> engine = args -> {
            if (args.isEmpty() || !(args.getFirst() instanceof TableTask task)) {
                throw new IllegalArgumentException("a table task's first argument must be a TableTask");
            }
            List<Partition> inputs = new ArrayList<>(args.size() - 1);
            for (Object a : args.subList(1, args.size())) {
                if (!(a instanceof Partition p)) {
                    throw new IllegalArgumentException("a table task's inputs must be tables, not " + ValueCodec.typeName(a));
                }
                inputs.add(p);
            }
            return tables.run(task, inputs, ArrowMemory.allocator());
        };
        return new CodeLoader.LoadedFunction(engine, fn.loader());
    }

    /** Closes the task's allocator; buffers the task kept (a leak) are logged and left to the parent. */
    private static void closeTaskAllocator(String key, BufferAllocator taskAllocator, List<Partition> views) {
        views.forEach(Partition::close); // a view must not outlive its run (idempotent; closed again by the caller)
        long leaked = taskAllocator.getAllocatedMemory();
        try {
            taskAllocator.close();
        } catch (RuntimeException e) {
            LOG.error("task {} leaked {} bytes of Arrow memory (vectors it built and neither returned nor closed); "
                    + "close what a task does not return. Details: {}", key, leaked, e.getMessage());
        }
    }

    private Object resolve(Arg arg, ClassLoader loader, List<Partition> views) {
        return switch (arg) {
            case Arg.Literal l -> ValueCodec.decode(l.value(), loader);
            case Arg.Ref r -> {
                if (store.isTable(r.key())) {
                    Partition view = store.table(r.key());
                    if (view != null) {
                        views.add(view);
                        yield view;
                    }
                }
                byte[] bytes = store.get(r.key());
                if (bytes == null) {
                    throw new IllegalStateException("input " + r.key() + " is not held by this worker (was it released?)");
                }
                yield ValueCodec.decode(bytes, loader);
            }
            case Arg.ListArg l -> {
                List<Object> items = new ArrayList<>(l.items().size());
                for (Arg item : l.items()) {
                    items.add(resolve(item, loader, views));
                }
                yield items;
            }
        };
    }

    /** An error of ours (not the task's code): its type, message and whole stack trace with causes, not serialized. */
    static RemoteError systemError(Throwable t, String key) {
        return new RemoteError(t.getClass().getName(), t.getMessage(), RemoteError.stackTraceOf(t), null, key);
    }

    static RemoteError userError(Throwable t, String key) {
        byte[] serialized;
        try {
            serialized = ValueCodec.encode(t);
        } catch (RuntimeException e) {
            serialized = null; // not serializable: the client still gets type, message and stack trace
        }
        return new RemoteError(t.getClass().getName(), t.getMessage(), RemoteError.stackTraceOf(t), serialized, key);
    }
}
