package io.partita.scheduler.http;

import io.partita.common.codec.MessageCodec;
import io.partita.common.codec.ProtocolException;
import io.partita.common.protocol.ClientRequest;
import io.partita.common.protocol.ClientUpdate;
import io.partita.scheduler.loop.SchedulerLoop;
import io.partita.scheduler.state.Event;
import io.vertx.core.http.ServerWebSocket;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The client WebSocket ({@code /api/client}): each binary CBOR frame decoded into an event, nothing more. */
final class ClientEndpoint {
    private static final Logger LOG = LoggerFactory.getLogger(ClientEndpoint.class);

    private final SchedulerLoop loop;
    private final String schedulerId;
    private final long maxMessageBytes;
    private final int maxClients;
    private final int maxPendingGraphs;
    private final String flightUri;

    ClientEndpoint(SchedulerLoop loop, String schedulerId, long maxMessageBytes, int maxClients, int maxPendingGraphs, String flightUri) {
        this.maxClients = maxClients;
        this.maxPendingGraphs = maxPendingGraphs;
        this.loop = loop;
        this.schedulerId = schedulerId;
        this.maxMessageBytes = maxMessageBytes;
        this.flightUri = flightUri;
    }

    /** @param resumed the id a client of the previous active scheduler comes back under (its graphs were replayed) */
    void connected(ServerWebSocket ws, String resumed) {
        if (loop.clientCount() >= maxClients) {
            SchedulerLoop.send(ws, new ClientUpdate.RequestFailed(0, "this scheduler has " + loop.clientCount()
                    + " clients connected, its limit (--max-clients " + maxClients + "): try again later"));
            ws.close((short) 1013, "too many clients"); // 1013: try again later
            return;
        }
        String clientId = resumed != null && resumed.matches("client-[0-9a-f]{8}") ? resumed
                : "client-" + UUID.randomUUID().toString().substring(0, 8);
        loop.clientConnected(clientId, ws);
        SchedulerLoop.send(ws, new ClientUpdate.Welcome(clientId, schedulerId, maxMessageBytes, flightUri, maxPendingGraphs));
        loop.submit(resumed != null ? new Event.ClientResumed(loop.stimulus("client-resume"), clientId)
                : new Event.ClientConnected(loop.stimulus("client-connect"), clientId));
        // frames assembled here, not by Vert.x: a message over the limit is answered, not the connection closed
        MessageAssembler messages = new MessageAssembler(maxMessageBytes);
        ws.frameHandler(frame -> {
            if (!frame.isBinary() && !frame.isText() && !frame.isContinuation()) {
                return; // ping, pong, close: Vert.x answers those
            }
            messages.frame(!frame.isContinuation(), frame.isText(), frame.isFinal(), frame.binaryData()).ifPresent(m -> {
                switch (m) {
                    case MessageAssembler.Assembled.Refused r -> SchedulerLoop.send(ws, new ClientUpdate.RequestFailed(0, r.error()));
                    case MessageAssembler.Assembled.Message msg -> received(ws, clientId, msg.bytes());
                }
            });
        });
        ws.exceptionHandler(e -> LOG.debug("client {} connection error: {}", clientId, e.getMessage()));
        ws.closeHandler(v -> {
            if (loop.clientClosed(clientId, ws)) {
                loop.submit(new Event.ClientDisconnected(loop.stimulus("client-close"), clientId));
            }
        });
    }

    private void received(ServerWebSocket ws, String clientId, byte[] bytes) {
        ClientRequest request;
        try {
            request = MessageCodec.fromCbor(bytes, ClientRequest.class, maxMessageBytes);
        } catch (ProtocolException e) {
            SchedulerLoop.send(ws, new ClientUpdate.RequestFailed(0, e.getMessage()));
            return;
        }
        loop.submit(event(loop.stimulus("client"), clientId, request, bytes));
    }

    static Event event(String sid, String clientId, ClientRequest request, byte[] bytes) {
        return switch (request) {
            // held for long: one String per key, not two
            case ClientRequest.SubmitGraph r -> new Event.GraphSubmitted(sid, clientId, r.requestId(), r.graph().sharingStrings(), bytes);
            case ClientRequest.ReleaseKeys r -> new Event.KeysReleased(sid, clientId, r.keys());
            case ClientRequest.CancelKeys r -> new Event.CancelRequested(sid, clientId, r.requestId(), r.keys());
            case ClientRequest.WhoHas r -> new Event.WhoHasAsked(sid, clientId, r.requestId(), r.keys());
            case ClientRequest.RetireWorkers r -> new Event.RetireRequested(sid, clientId, r.requestId(), r.workers());
            case ClientRequest.RegisterScattered r -> new Event.DataScattered(sid, clientId, r.requestId(), r.workerId(), r.keys());
        };
    }
}
