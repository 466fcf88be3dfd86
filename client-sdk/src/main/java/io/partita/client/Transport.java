package io.partita.client;

import java.util.concurrent.CompletableFuture;

/** Where the client's encoded requests go: the WebSocket session, or a recorder in tests. */
interface Transport {
    CompletableFuture<Void> send(byte[] cborRequest);

    void close();
}
