package io.partita.common.protocol;

import java.util.List;

/**
 * What the scheduler's {@code GET /api/cluster} answers, so that a worker given only {@code host:8786} can join.
 *
 * @param clusterName the Hazelcast cluster name
 * @param members     Hazelcast member addresses ({@code host:port}) to join through
 * @param schedulerId id of the scheduler that answered
 * @param version     Partita version of the scheduler
 */
public record ClusterInfo(String clusterName, List<String> members, String schedulerId, String version) {
    public ClusterInfo {
        members = List.copyOf(members);
    }
}
