package io.partita.client;

import io.partita.common.codec.ValueCodec;
import io.partita.common.data.ArrowMemory;
import io.partita.common.data.Partition;
import io.partita.common.data.TableStreams;
import io.partita.common.flight.FetchTicket;
import io.partita.common.flight.FlightTickets;
import io.partita.common.flight.KeyValueBatches;
import io.partita.common.flight.ScatterDescriptor;
import io.partita.common.flight.TableTicket;
import io.partita.common.fn.Functions;
import io.partita.common.protocol.WorkerCommand;
import io.partita.common.protocol.WorkerReport.TaskDone;
import io.partita.common.protocol.WorkerReport.TaskFailed;
import io.partita.common.task.Arg;
import io.partita.common.task.FunctionSpec;
import io.partita.common.task.RemoteError;
import io.partita.scheduler.state.Event;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import org.apache.arrow.flight.CallStatus;
import org.apache.arrow.flight.FlightServer;
import org.apache.arrow.flight.FlightStream;
import org.apache.arrow.flight.Location;
import org.apache.arrow.flight.NoOpFlightProducer;
import org.apache.arrow.flight.PutResult;
import org.apache.arrow.flight.Ticket;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;

/**
 * A simulated worker for {@link TestScheduler}: answers the {@link WorkerCommand}s it gets by running the tasks at
 * once (a task whose inputs are not here yet waits for them), keeping values and tables in memory, and reporting
 * what happened as the scheduler's events. Its data plane is two Flight servers on the same store: its own (DoGet of
 * values and tables, DoPut of scattered data), and one that plays the scheduler's Flight proxy.
 */
final class TestWorker implements AutoCloseable {
    private final String workerId;
    private final BiConsumer<String, List<Event>> report;
    private final BufferAllocator allocator = new RootAllocator();
    final Map<String, byte[]> values = new ConcurrentHashMap<>();
    /** Tables held by the worker, owned here. */
    final Map<String, Partition> tables = new ConcurrentHashMap<>();
    final AtomicInteger workerGets = new AtomicInteger();
    final AtomicInteger proxyGets = new AtomicInteger();
    final AtomicInteger puts = new AtomicInteger();
    private final FlightServer direct;
    private final FlightServer proxy;
    private final Map<String, FunctionSpec> functions = new HashMap<>();
    /** Tasks sent whose inputs are not all here yet, in the order they came. */
    private final List<WorkerCommand.ExecuteTask> waiting = new ArrayList<>();
    private final AtomicLong stimulus = new AtomicLong();
    private volatile boolean directStopped;
    /** Fetches the proxy answers with UNAVAILABLE before it serves again (a fault to inject). */
    final AtomicInteger proxyUnavailable = new AtomicInteger();

    /** @param report gets the worker's id and the events its work caused, to feed into the scheduler's state */
    TestWorker(String workerId, BiConsumer<String, List<Event>> report) throws Exception {
        this.workerId = workerId;
        this.report = report;
        this.direct = flight(workerGets, new AtomicInteger());
        this.proxy = flight(proxyGets, proxyUnavailable);
    }

    String flightUri() {
        return "grpc+tcp://127.0.0.1:" + direct.getPort();
    }

    String proxyUri() {
        return "grpc+tcp://127.0.0.1:" + proxy.getPort();
    }

    void stopDirectFlight() throws InterruptedException {
        if (!directStopped) {
            directStopped = true;
            direct.close();
        }
    }

    /** One command from the scheduler; called on the scheduler's event loop. */
    void accept(WorkerCommand command) {
        switch (command) {
            case WorkerCommand.ExecuteTasks ex -> {
                ex.functions().forEach(f -> functions.put(f.id(), f));
                waiting.addAll(ex.tasks());
                runReady();
            }
            case WorkerCommand.FreeKeys f -> f.keys().forEach(k -> {
                values.remove(k);
                Partition p = tables.remove(k);
                if (p != null) {
                    p.close();
                }
            });
            default -> { } // registration, stealing and retirement do not happen with one worker in these tests
        }
    }

    /** Runs every waiting task whose inputs are here, until none is left that can run (bounded by the tasks). */
    private void runReady() {
        List<TaskDone> done = new ArrayList<>();
        List<TaskFailed> failed = new ArrayList<>();
        boolean progressed = true;
        for (int round = 0; progressed && round <= waiting.size(); round++) {
            progressed = false;
            for (var it = waiting.iterator(); it.hasNext(); ) {
                WorkerCommand.ExecuteTask t = it.next();
                if (t.dependencies().keySet().stream().allMatch(k -> values.containsKey(k) || tables.containsKey(k))) {
                    it.remove();
                    run(t, done, failed);
                    progressed = true;
                }
            }
        }
        List<Event> events = new ArrayList<>();
        if (!done.isEmpty()) {
            events.add(new Event.TasksFinished(sid(), workerId, done));
        }
        if (!failed.isEmpty()) {
            events.add(new Event.TasksFailed(sid(), workerId, failed));
        }
        if (!events.isEmpty()) {
            report.accept(workerId, events);
        }
    }

    private void run(WorkerCommand.ExecuteTask t, List<TaskDone> done, List<TaskFailed> failed) {
        ClassLoader loader = TestWorker.class.getClassLoader();
        long start = System.currentTimeMillis();
        try {
            Object fn = ValueCodec.decode(functions.get(t.function()).payload(), loader);
            List<Object> args = new ArrayList<>();
            for (Arg a : t.args()) {
                args.add(value(a, loader));
            }
            Object result = ArrowMemory.withAllocator(allocator, () -> Functions.invoke(fn, args));
            if (result instanceof Partition p) {
                tables.put(t.key(), p);
                done.add(new TaskDone(t.key(), p.bufferBytes(), Partition.TYPE, start, 1));
            } else {
                byte[] v = ValueCodec.encode(result);
                values.put(t.key(), v);
                done.add(new TaskDone(t.key(), v.length, ValueCodec.typeName(result), start, 1));
            }
        } catch (Exception e) {
            failed.add(new TaskFailed(t.key(), new RemoteError(e.getClass().getName(), e.getMessage(),
                    RemoteError.stackTraceOf(e), ValueCodec.encode(e), t.key())));
        }
    }

    private Object value(Arg a, ClassLoader loader) {
        return switch (a) {
            case Arg.Literal l -> ValueCodec.decode(l.value(), loader);
            case Arg.Ref r -> tables.containsKey(r.key()) ? tables.get(r.key()) : ValueCodec.decode(values.get(r.key()), loader);
            case Arg.ListArg l -> l.items().stream().map(i -> value(i, loader)).toList();
        };
    }

    private String sid() {
        return workerId + "-" + stimulus.incrementAndGet();
    }

    private FlightServer flight(AtomicInteger gets, AtomicInteger unavailable) throws Exception {
        return FlightServer.builder(allocator, Location.forGrpcInsecure("127.0.0.1", 0), new NoOpFlightProducer() {
            @Override
            public void getStream(CallContext context, Ticket ticket, ServerStreamListener listener) {
                gets.incrementAndGet();
                if (unavailable.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                    listener.error(CallStatus.UNAVAILABLE.withDescription("Network closed for unknown reason").toRuntimeException());
                    return;
                }
                if (FlightTickets.decode(ticket) instanceof TableTicket t) {
                    Partition p = tables.get(t.key());
                    if (p == null) {
                        listener.error(CallStatus.NOT_FOUND.withDescription("no table " + t.key()).toRuntimeException());
                    } else {
                        TableStreams.write(p, allocator, listener);
                    }
                    return;
                }
                Map<String, byte[]> found = new LinkedHashMap<>();
                for (String k : ((FetchTicket) FlightTickets.decode(ticket)).keys()) {
                    if (values.containsKey(k)) {
                        found.put(k, values.get(k));
                    }
                }
                KeyValueBatches.write(allocator, found.entrySet().iterator(), listener);
            }

            @Override
            public Runnable acceptPut(CallContext context, FlightStream stream, StreamListener<PutResult> ack) {
                return () -> {
                    try {
                        ScatterDescriptor d = ScatterDescriptor.from(stream.getDescriptor());
                        if (d.table()) {
                            Partition old = tables.put(d.key(), TableStreams.read(stream, allocator));
                            if (old != null) {
                                old.close();
                            }
                        } else {
                            KeyValueBatches.read(stream, (k, v) -> values.put(d.key(), v));
                        }
                        puts.incrementAndGet();
                        ack.onCompleted();
                    } catch (Exception e) {
                        ack.onError(CallStatus.INTERNAL.withDescription(e.toString()).withCause(e).toRuntimeException());
                    }
                };
            }
        }).build().start();
    }

    @Override
    public void close() throws Exception {
        stopDirectFlight();
        proxy.close();
        tables.values().forEach(Partition::close);
        allocator.close();
    }
}
