package io.partita.common.protocol;

import java.util.List;

/**
 * What the scheduler's {@code GET /api/cluster} answers (token-protected): a worker asks it before it connects, so
 * that a wrong token or an unreachable scheduler is reported at once, and learns every scheduler of the cluster.
 *
 * @param schedulerId id of the scheduler that answered
 * @param version     Partita version of the scheduler
 * @param schedulers  client API addresses ({@code host:port}) of every scheduler in the cluster, the active one first
 */
public record ClusterInfo(String schedulerId, String version, List<String> schedulers) {
    public ClusterInfo {
        schedulers = schedulers == null ? List.of() : List.copyOf(schedulers);
    }
}
