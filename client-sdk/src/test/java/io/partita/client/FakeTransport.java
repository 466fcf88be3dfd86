package io.partita.client;

import io.partita.common.codec.MessageCodec;
import io.partita.common.protocol.ClientRequest;
import io.partita.common.protocol.ClientUpdate;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** Records what a client sends; accepts (or refuses) graphs at once. */
final class FakeTransport implements Transport {
    final LinkedBlockingQueue<ClientRequest> sent = new LinkedBlockingQueue<>();
    volatile Client client;
    volatile String rejectWith;

    static FakeTransport withClient() {
        FakeTransport t = new FakeTransport();
        t.client = Client.forTesting(t, new ClientUpdate.Welcome("c1", "s1", 1L << 28, "grpc+tcp://127.0.0.1:1", 1000));
        return t;
    }

    @Override
    public CompletableFuture<Void> send(byte[] cbor) {
        ClientRequest r = MessageCodec.fromCbor(cbor, ClientRequest.class, Long.MAX_VALUE);
        sent.add(r);
        if (r instanceof ClientRequest.SubmitGraph g) {
            client.onUpdate(rejectWith == null ? new ClientUpdate.GraphAccepted(g.requestId(), g.graph().tasks().size())
                    : new ClientUpdate.RequestFailed(g.requestId(), rejectWith));
        }
        return CompletableFuture.completedFuture(null);
    }

    <T extends ClientRequest> T next(Class<T> type) throws InterruptedException {
        while (true) {
            ClientRequest r = sent.poll(10, TimeUnit.SECONDS);
            if (r == null) {
                throw new AssertionError("no " + type.getSimpleName() + " sent within 10 s");
            }
            if (type.isInstance(r)) {
                return type.cast(r);
            }
        }
    }

    ClientRequest.SubmitGraph lastGraph() throws InterruptedException {
        return next(ClientRequest.SubmitGraph.class);
    }

    @Override
    public void close() {}
}
