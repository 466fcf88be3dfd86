package io.partita.it;

import io.partita.common.codec.MessageCodec;
import io.partita.common.protocol.ClientRequest;
import io.partita.common.protocol.ClientUpdate;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** The client WebSocket spoken by hand, to send what the SDK never would: cycles, garbage, unknown artifacts. */
final class RawClientConnection implements AutoCloseable {
    private final HttpClient http = io.partita.common.net.InternalHttp.client(java.time.Duration.ofSeconds(10));
    private final BlockingQueue<ClientUpdate> updates = new LinkedBlockingQueue<>();
    private final WebSocket socket;

    RawClientConnection(String hostPort) {
        this.socket = http.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(10))
                .buildAsync(URI.create("ws://" + hostPort + "/api/client"), new WebSocket.Listener() {
                    private final ByteArrayOutputStream partial = new ByteArrayOutputStream();

                    @Override
                    public CompletionStage<?> onBinary(WebSocket ws, ByteBuffer data, boolean last) {
                        byte[] chunk = new byte[data.remaining()];
                        data.get(chunk);
                        partial.writeBytes(chunk);
                        if (last) {
                            updates.add(MessageCodec.fromCbor(partial.toByteArray(), ClientUpdate.class, Long.MAX_VALUE));
                            partial.reset();
                        }
                        ws.request(1);
                        return null;
                    }
                }).join();
    }

    void send(ClientRequest request) {
        sendBytes(MessageCodec.toCbor(request));
    }

    void sendBytes(byte[] frame) {
        socket.sendBinary(ByteBuffer.wrap(frame), true).join();
    }

    /** The next update matching {@code filter} within 30 s; others are skipped. */
    <T extends ClientUpdate> T await(Class<T> type, Predicate<T> filter) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            ClientUpdate u = updates.poll(100, TimeUnit.MILLISECONDS);
            if (type.isInstance(u) && filter.test(type.cast(u))) {
                return type.cast(u);
            }
        }
        throw new AssertionError("no " + type.getSimpleName() + " arrived within 30 s");
    }

    @Override
    public void close() {
        socket.abort();
        http.close();
    }
}
