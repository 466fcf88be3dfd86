package io.partita.client;

import io.partita.common.codec.MessageCodec;
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
import io.partita.common.protocol.ClientRequest;
import io.partita.common.protocol.ClientUpdate;
import io.partita.common.protocol.WorkerAddress;
import io.partita.common.protocol.WorkerInfo;
import io.partita.common.protocol.WorkerStatus;
import io.partita.common.task.Arg;
import io.partita.common.task.FunctionSpec;
import io.partita.common.task.RemoteError;
import io.partita.common.task.TaskSpec;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.ServerWebSocket;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.arrow.flight.CallStatus;
import org.apache.arrow.flight.FlightServer;
import org.apache.arrow.flight.FlightStream;
import org.apache.arrow.flight.PutResult;
import org.apache.arrow.flight.Location;
import org.apache.arrow.flight.NoOpFlightProducer;
import org.apache.arrow.flight.Ticket;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;

/**
 * A scheduler and a worker in miniature, for tests: runs each submitted graph at once (in order, on the event
 * loop), keeps values in a map served by a "worker" Flight server and a "proxy" Flight server. The worker also takes
 * scattered values and tables (DoPut) and serves tables (DoGet(TableTicket)); tasks take and return Partitions.
 */
final class FakeScheduler implements AutoCloseable {
    final Vertx vertx = Vertx.vertx();
    final HttpServer http;
    final BufferAllocator allocator = new RootAllocator();
    final Map<String, byte[]> values = new ConcurrentHashMap<>();
    final Set<String> artifacts = ConcurrentHashMap.newKeySet();
    final AtomicInteger artifactPosts = new AtomicInteger();
    final List<ClientRequest> received = new CopyOnWriteArrayList<>();
    final FlightServer worker;
    final FlightServer proxy;
    final AtomicInteger workerGets = new AtomicInteger();
    final AtomicInteger proxyGets = new AtomicInteger();
    final Map<String, RemoteError> errors = new ConcurrentHashMap<>();
    /** Tables held by the worker, owned here. */
    final Map<String, Partition> tables = new ConcurrentHashMap<>();
    final AtomicInteger puts = new AtomicInteger();
    /** When set, RegisterScattered is refused with this error. */
    volatile String refuseScatter;
    /** Flight URI the scheduler announces as the holder of results (a dead one to test the proxy fallback). */
    volatile String holderUri;

    FakeScheduler(String token) throws Exception {
        worker = flight(workerGets);
        proxy = flight(proxyGets);
        holderUri = "grpc+tcp://127.0.0.1:" + worker.getPort();
        http = vertx.createHttpServer(new io.vertx.core.http.HttpServerOptions().setMaxWebSocketMessageSize(256 << 20)).requestHandler(req -> {
            if (token != null && !("Bearer " + token).equals(req.getHeader("Authorization"))) {
                req.response().setStatusCode(401).end("unauthenticated: this cluster requires its token");
                return;
            }
            String path = req.path();
            if (path.equals("/api/client")) {
                req.toWebSocket().onSuccess(this::session);
            } else if (path.equals("/api/workers")) {
                WorkerInfo info = new WorkerInfo("w1", "worker-1", "127.0.0.1", "h1", holderUri, 0, 2, 0, Map.of(), "m1", 1, "", "");
                req.response().putHeader("Content-Type", "application/json")
                        .end(MessageCodec.toJson(List.of(new WorkerStatus(info, null))));
            } else if (path.startsWith("/api/artifacts/")) {
                String sha = path.substring("/api/artifacts/".length());
                switch (req.method().name()) {
                    case "HEAD" -> req.response().setStatusCode(artifacts.contains(sha) ? 200 : 404).end();
                    case "POST" -> req.body().onSuccess(b -> {
                        artifactPosts.incrementAndGet();
                        artifacts.add(sha);
                        req.response().setStatusCode(201).end();
                    });
                    default -> req.response().setStatusCode(405).end();
                }
            } else {
                req.response().setStatusCode(404).end();
            }
        }).listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    String address() {
        return "127.0.0.1:" + http.actualPort();
    }

    private FlightServer flight(AtomicInteger gets) throws Exception {
        return FlightServer.builder(allocator, Location.forGrpcInsecure("127.0.0.1", 0), new NoOpFlightProducer() {
            @Override
            public void getStream(CallContext context, Ticket ticket, ServerStreamListener listener) {
                gets.incrementAndGet();
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

    private void session(ServerWebSocket ws) {
        ws.writeBinaryMessage(Buffer.buffer(MessageCodec.toCbor(new ClientUpdate.Welcome("client-1", "sched-1", 1L << 28,
                "grpc+tcp://127.0.0.1:" + proxy.getPort()))));
        ws.binaryMessageHandler(buf -> {
            ClientRequest r = MessageCodec.fromCbor(buf.getBytes(), ClientRequest.class, Long.MAX_VALUE);
            received.add(r);
            if (r instanceof ClientRequest.RegisterScattered sc) {
                if (refuseScatter != null || !sc.workerId().equals("w1")) {
                    send(ws, new ClientUpdate.RequestFailed(sc.requestId(), refuseScatter != null ? refuseScatter
                            : "worker " + sc.workerId() + " is not connected"));
                    return;
                }
                send(ws, new ClientUpdate.GraphAccepted(sc.requestId(), sc.keys().size()));
                WorkerAddress holder = new WorkerAddress("w1", "h1", holderUri, "", "", "");
                send(ws, new ClientUpdate.KeysFinished(sc.keys().stream()
                        .map(k -> new ClientUpdate.KeyFinished(k.key(), List.of(holder), k.type(), k.nbytes())).toList()));
            }
            if (r instanceof ClientRequest.SubmitGraph g) {
                for (FunctionSpec f : g.graph().functions()) {
                    if (!artifacts.containsAll(f.artifacts())) {
                        send(ws, new ClientUpdate.RequestFailed(g.requestId(), "function " + f.name() + " uses an artifact not uploaded"));
                        return;
                    }
                }
                send(ws, new ClientUpdate.GraphAccepted(g.requestId(), g.graph().tasks().size()));
                run(ws, g);
            }
        });
    }

    private void run(ServerWebSocket ws, ClientRequest.SubmitGraph g) {
        ClassLoader loader = FakeScheduler.class.getClassLoader();
        Map<String, FunctionSpec> fns = new HashMap<>();
        g.graph().functions().forEach(f -> fns.put(f.id(), f));
        List<ClientUpdate.KeyFinished> finished = new ArrayList<>();
        List<ClientUpdate.KeyErred> erred = new ArrayList<>();
        WorkerAddress holder = new WorkerAddress("w1", "h1", holderUri, "", "", "");
        for (TaskSpec t : g.graph().tasks()) {
            RemoteError upstream = t.dependencies().stream().map(errors::get).filter(e -> e != null).findFirst().orElse(null);
            if (upstream != null) {
                errors.put(t.key(), upstream);
                erred.add(new ClientUpdate.KeyErred(t.key(), upstream));
                continue;
            }
            try {
                Object fn = ValueCodec.decode(fns.get(t.function()).payload(), loader);
                List<Object> args = new ArrayList<>();
                for (Arg a : t.args()) {
                    args.add(value(a, loader));
                }
                Object result = ArrowMemory.withAllocator(allocator, () -> Functions.invoke(fn, args));
                if (result instanceof Partition p) {
                    tables.put(t.key(), p);
                    finished.add(new ClientUpdate.KeyFinished(t.key(), List.of(holder), Partition.class.getName(), p.bufferBytes()));
                    continue;
                }
                byte[] v = ValueCodec.encode(result);
                values.put(t.key(), v);
                finished.add(new ClientUpdate.KeyFinished(t.key(), List.of(holder), "?", v.length));
            } catch (Exception e) {
                RemoteError err = new RemoteError(e.getClass().getName(), e.getMessage(), RemoteError.stackTraceOf(e),
                        ValueCodec.encode(e), t.key());
                errors.put(t.key(), err);
                erred.add(new ClientUpdate.KeyErred(t.key(), err));
            }
        }
        if (!finished.isEmpty()) {
            send(ws, new ClientUpdate.KeysFinished(finished));
        }
        if (!erred.isEmpty()) {
            send(ws, new ClientUpdate.KeysErred(erred));
        }
    }

    private Object value(Arg a, ClassLoader loader) {
        return switch (a) {
            case Arg.Literal l -> ValueCodec.decode(l.value(), loader);
            case Arg.Ref r -> tables.containsKey(r.key()) ? tables.get(r.key()) : ValueCodec.decode(values.get(r.key()), loader);
            case Arg.ListArg l -> l.items().stream().map(i -> value(i, loader)).toList();
        };
    }

    private static void send(ServerWebSocket ws, ClientUpdate u) {
        ws.writeBinaryMessage(Buffer.buffer(MessageCodec.toCbor(u)));
    }

    @Override
    public void close() throws Exception {
        http.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        worker.close();
        proxy.close();
        tables.values().forEach(Partition::close);
        allocator.close();
    }
}
