package io.partita.scheduler.cluster;

/**
 * Names in the schedulers' Hazelcast cluster: member attributes and maps. Only schedulers are members; workers reach
 * the active scheduler over their authenticated WebSocket and never Hazelcast.
 */
final class MemberAttributes {
    static final String ROLE = "partita.role";
    static final String ROLE_SCHEDULER = "scheduler";
    /** A scheduler's client API address ({@code host:port}), so that the others can tell clients and workers. */
    static final String SCHEDULER_API = "partita.scheduler-api";
    /** Accepted graphs, written by the active scheduler before it answers GraphAccepted (see GraphStore). */
    static final String GRAPH_MAP = "partita.graphs";
    /** Uploaded jars by SHA-256, copied by the active scheduler for a standby. */
    static final String ARTIFACT_MAP = "partita.artifacts";
    /** The workers registered with the active scheduler: those a scheduler taking over waits for. */
    static final String WORKER_MAP = "partita.workers";

    private MemberAttributes() {}
}
