package io.partita.client;

/** How results are fetched: from the holder workers, through the scheduler's Flight proxy, or direct with fallback. */
public enum GatherMode {
    /** From the workers; through the proxy for a worker that cannot be reached. */
    AUTO,
    /** From the workers only. */
    DIRECT,
    /** Always through the scheduler's Flight proxy (e.g. workers on a private network). */
    PROXY
}
