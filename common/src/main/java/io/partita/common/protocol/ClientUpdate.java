package io.partita.common.protocol;

import com.fasterxml.jackson.annotation.JsonTypeInfo;
import io.partita.common.task.RemoteError;
import java.util.List;
import java.util.Map;

/** Messages from the scheduler to a client. Key updates are batched. */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
public sealed interface ClientUpdate {

    /**
     * First message on a new connection.
     *
     * @param flightProxyUri the scheduler's Flight proxy ({@code grpc+tcp://host:8788}), for gathering from workers
     *                       the client cannot reach
     */
    /**
     * @param maxPendingGraphs graphs the client may have sent and not yet had answered (--max-pending-graphs): the
     *                         client waits for answers past it instead of sending a graph that would be refused; 0
     *                         from a scheduler that does not say
     */
    record Welcome(String clientId, String schedulerId, long maxMessageBytes, String flightProxyUri, int maxPendingGraphs)
            implements ClientUpdate {}

    record GraphAccepted(long requestId, int tasks) implements ClientUpdate {}

    /** A request was refused; {@code error} says what was wrong and what to do. Nothing was changed. */
    record RequestFailed(long requestId, String error) implements ClientUpdate {}

    record KeysFinished(List<KeyFinished> keys) implements ClientUpdate {
        public KeysFinished { keys = List.copyOf(keys); }
    }

    record KeyFinished(String key, List<WorkerAddress> holders, String type, long nbytes) {
        public KeyFinished { holders = List.copyOf(holders); }
    }

    record KeysErred(List<KeyErred> keys) implements ClientUpdate {
        public KeysErred { keys = List.copyOf(keys); }
    }

    record KeyErred(String key, RemoteError error) {}

    /** These keys were cancelled; {@code requestId} is that of the {@link ClientRequest.CancelKeys}, or 0. */
    record KeysCancelled(long requestId, List<String> keys, String reason) implements ClientUpdate {
        public KeysCancelled { keys = List.copyOf(keys); }
    }

    /** Holders of each asked key that is in memory; keys not in memory are absent. */
    /** Answer to {@link ClientRequest.RetireWorkers}: these workers (ids) left after handing over their keys. */
    record WorkersRetired(long requestId, List<String> workerIds) implements ClientUpdate {
        public WorkersRetired { workerIds = List.copyOf(workerIds); }
    }

    record WhoHasReply(long requestId, Map<String, List<WorkerAddress>> holders) implements ClientUpdate {
        public WhoHasReply { holders = Map.copyOf(holders); }
    }
}
