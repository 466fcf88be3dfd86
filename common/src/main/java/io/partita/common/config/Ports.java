package io.partita.common.config;

/** Default ports, following Dask's conventions where they exist (see docs/architecture.md). */
public final class Ports {
    public static final int SCHEDULER_API = 8786;
    public static final int SCHEDULER_DASHBOARD = 8787;
    public static final int SCHEDULER_FLIGHT_PROXY = 8788;
    public static final int WORKER_FLIGHT = 8789;
    public static final int WORKER_HTTP = 8790;
    public static final int HAZELCAST = 5701;

    private Ports() {}
}
