package io.partita.worker.exec;

import io.partita.common.codec.ValueCodec;
import io.partita.common.fn.Functions;
import io.partita.common.protocol.WorkerCommand.ExecuteTask;
import io.partita.common.task.Arg;
import io.partita.common.task.FunctionSpec;
import io.partita.common.task.RemoteError;
import io.partita.worker.code.CodeLoader;
import io.partita.worker.state.WorkerEvent;
import io.partita.worker.store.ObjectStore;
import java.util.ArrayList;
import java.util.List;

/** Runs one task on the calling (pool) thread and turns the outcome into an event; it never throws. */
public final class TaskRunner {
    private final CodeLoader code;
    private final ObjectStore store;

    public TaskRunner(CodeLoader code, ObjectStore store) {
        this.code = code;
        this.store = store;
    }

    /** @param function the task's function spec, or null when the scheduler never sent it */
    public WorkerEvent run(ExecuteTask task, FunctionSpec function, String stimulusId) {
        String key = task.key();
        if (function == null) {
            return new WorkerEvent.TaskErred(stimulusId, key, RemoteError.of("io.partita.worker.MissingFunction",
                    "function " + task.function() + " was not sent to this worker", key));
        }
        CodeLoader.LoadedFunction fn;
        List<Object> args;
        try {
            fn = code.function(function);
            args = new ArrayList<>(task.args().size());
            for (Arg arg : task.args()) {
                args.add(resolve(arg, fn.loader()));
            }
        } catch (RuntimeException e) {
            return new WorkerEvent.TaskErred(stimulusId, key, RemoteError.of(e.getClass().getName(), e.getMessage(), key));
        }
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(fn.loader());
        long startMillis = System.currentTimeMillis();
        long t0 = System.nanoTime();
        Object result;
        try {
            result = Functions.invoke(fn.function(), args);
        } catch (Throwable t) {
            if (t instanceof VirtualMachineError vm && !(t instanceof StackOverflowError)) {
                throw vm;
            }
            return new WorkerEvent.TaskErred(stimulusId, key, userError(t, key));
        } finally {
            thread.setContextClassLoader(previous);
        }
        long micros = (System.nanoTime() - t0) / 1_000;
        byte[] bytes;
        try {
            bytes = ValueCodec.encode(result);
        } catch (RuntimeException e) {
            return new WorkerEvent.TaskErred(stimulusId, key, RemoteError.of(e.getClass().getName(),
                    "the result of task " + key + " cannot be stored: " + e.getMessage(), key));
        }
        store.put(key, bytes);
        return new WorkerEvent.TaskCompleted(stimulusId, key, bytes.length, ValueCodec.typeName(result), startMillis, micros);
    }

    private Object resolve(Arg arg, ClassLoader loader) {
        return switch (arg) {
            case Arg.Literal l -> ValueCodec.decode(l.value(), loader);
            case Arg.Ref r -> {
                byte[] bytes = store.get(r.key());
                if (bytes == null) {
                    throw new IllegalStateException("input " + r.key() + " is not held by this worker (was it released?)");
                }
                yield ValueCodec.decode(bytes, loader);
            }
            case Arg.ListArg l -> {
                List<Object> items = new ArrayList<>(l.items().size());
                for (Arg item : l.items()) {
                    items.add(resolve(item, loader));
                }
                yield items;
            }
        };
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
