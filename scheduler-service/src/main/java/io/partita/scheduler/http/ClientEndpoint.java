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
    private final String flightUri;

    ClientEndpoint(SchedulerLoop loop, String schedulerId, long maxMessageBytes, String flightUri) {
        this.loop = loop;
        this.schedulerId = schedulerId;
        this.maxMessageBytes = maxMessageBytes;
        this.flightUri = flightUri;
    }

    /** @param resumed the id a client of the previous active scheduler comes back under (its graphs were replayed) */
    void connected(ServerWebSocket ws, String resumed) {
        String clientId = resumed != null && resumed.matches("client-[0-9a-f]{8}") ? resumed
                : "client-" + UUID.randomUUID().toString().substring(0, 8);
        loop.clientConnected(clientId, ws);
        SchedulerLoop.send(ws, new ClientUpdate.Welcome(clientId, schedulerId, maxMessageBytes, flightUri));
        loop.submit(resumed != null ? new Event.ClientResumed(loop.stimulus("client-resume"), clientId)
                : new Event.ClientConnected(loop.stimulus("client-connect"), clientId));
        ws.textMessageHandler(t -> SchedulerLoop.send(ws, new ClientUpdate.RequestFailed(0,
                "text frames are not accepted: send each ClientRequest as one binary CBOR message")));
        ws.binaryMessageHandler(buffer -> {
            byte[] bytes = buffer.getBytes(); // a copy: decoded, and for a graph also stored as it arrived
            ClientRequest request;
            try {
                request = MessageCodec.fromCbor(bytes, ClientRequest.class, maxMessageBytes);
            } catch (ProtocolException e) {
                SchedulerLoop.send(ws, new ClientUpdate.RequestFailed(0, e.getMessage()));
                return;
            }
            loop.submit(event(loop.stimulus("client"), clientId, request, bytes));
        });
        ws.exceptionHandler(e -> LOG.debug("client {} connection error: {}", clientId, e.getMessage()));
        ws.closeHandler(v -> {
            if (loop.clientClosed(clientId, ws)) {
                loop.submit(new Event.ClientDisconnected(loop.stimulus("client-close"), clientId));
            }
        });
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
