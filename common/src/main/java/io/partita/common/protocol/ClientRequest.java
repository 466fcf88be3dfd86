package io.partita.common.protocol;

import com.fasterxml.jackson.annotation.JsonTypeInfo;
import io.partita.common.task.GraphSpec;
import java.util.List;
import java.util.Objects;

/** Messages from a client to the scheduler, over the client WebSocket ({@code /api/client} on port 8786). */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
public sealed interface ClientRequest {

    /** Submit a graph; answered by {@link ClientUpdate.GraphAccepted} or {@link ClientUpdate.RequestFailed}. */
    record SubmitGraph(long requestId, GraphSpec graph) implements ClientRequest {
        public SubmitGraph {
            Objects.requireNonNull(graph, "graph");
        }
    }

    /** The client dropped its futures for these keys (each key once per future it had wanted). */
    record ReleaseKeys(List<String> keys) implements ClientRequest {
        public ReleaseKeys { keys = List.copyOf(keys); }
    }

    /** Cancel these keys and the tasks only they need; answered by {@link ClientUpdate.KeysCancelled}. */
    record CancelKeys(long requestId, List<String> keys) implements ClientRequest {
        public CancelKeys { keys = List.copyOf(keys); }
    }

    /**
     * The client put these values onto {@code workerId} with Flight DoPut ({@code ScatterDescriptor}); the scheduler
     * records them as held there, with one reference of this client each. Answered by
     * {@link ClientUpdate.GraphAccepted} or {@link ClientUpdate.RequestFailed}. Scattered values have no lineage:
     * if their worker dies they are lost, and their futures fail saying so.
     */
    record RegisterScattered(long requestId, String workerId, List<ScatteredKey> keys) implements ClientRequest {
        public RegisterScattered { keys = List.copyOf(keys); }
    }

    record ScatteredKey(String key, long nbytes, String type) {}

    /** Where are these keys held now; answered by {@link ClientUpdate.WhoHasReply}. */
    /**
     * Retire these workers (names or ids) gracefully: no new tasks go there, the keys only they hold are copied to
     * other workers, then they stop. Answered by {@link ClientUpdate.WorkersRetired} once they are gone, or
     * {@link ClientUpdate.RequestFailed}.
     */
    record RetireWorkers(long requestId, List<String> workers) implements ClientRequest {
        public RetireWorkers { workers = List.copyOf(workers); }
    }

    record WhoHas(long requestId, List<String> keys) implements ClientRequest {
        public WhoHas { keys = List.copyOf(keys); }
    }
}
