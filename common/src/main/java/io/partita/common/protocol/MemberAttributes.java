package io.partita.common.protocol;

/** Names of the Hazelcast member attributes a worker sets on its (lite) member. */
public final class MemberAttributes {
    public static final String ROLE = "partita.role";
    public static final String ROLE_WORKER = "worker";
    public static final String ROLE_SCHEDULER = "scheduler";
    public static final String WORKER_ID = "partita.worker-id";
    /** A scheduler's client API address ({@code host:port}), so that the others can tell clients and workers. */
    public static final String SCHEDULER_API = "partita.scheduler-api";
    /** Accepted graphs, written by the active scheduler before it answers GraphAccepted (see GraphRegistry). */
    public static final String GRAPH_MAP = "partita.graphs";
    /** Uploaded jars by SHA-256, copied by the active scheduler for a standby. */
    public static final String ARTIFACT_MAP = "partita.artifacts";
    public static final String NAME = "partita.name";
    public static final String HOST_ID = "partita.host-id";
    public static final String FLIGHT_URI = "partita.flight-uri";
    public static final String SHM_DIR = "partita.shm-dir";
    public static final String NTHREADS = "partita.nthreads";
    public static final String MEMORY_LIMIT = "partita.memory-limit";

    /** The Hazelcast map (worker id to CBOR-encoded {@link WorkerLoad}) that workers publish their load into. */
    public static final String WORKER_LOAD_MAP = "partita.worker-load";

    private MemberAttributes() {}
}
