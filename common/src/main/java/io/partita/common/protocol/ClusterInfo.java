package io.partita.common.protocol;

import java.util.List;

/**
 * What the scheduler's {@code GET /api/cluster} answers, so that a worker given only {@code host:8786} can join.
 *
 * @param clusterName the Hazelcast cluster name
 * @param members     Hazelcast member addresses ({@code host:port}) to join through
 * @param schedulerId id of the scheduler that answered
 * @param version     Partita version of the scheduler
 * @param schedulers  client API addresses ({@code host:port}) of every scheduler in the cluster, the active one first
 */
public record ClusterInfo(String clusterName, List<String> members, String schedulerId, String version,
                          List<String> schedulers) {
    public ClusterInfo {
        members = List.copyOf(members);
        schedulers = schedulers == null ? List.of() : List.copyOf(schedulers);
    }
}
