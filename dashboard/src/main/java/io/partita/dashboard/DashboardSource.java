package io.partita.dashboard;

import io.vertx.core.json.JsonObject;

/**
 * What the pages show, supplied by the scheduler so that this module stays free of scheduler types. Called on the
 * event loop that mounted the {@link Dashboard} (the scheduler's), so it may read the scheduler's state directly.
 */
public interface DashboardSource {
    /** The pages a viewer can follow. */
    enum Page { STATUS, WORKERS, GRAPH }

    /**
     * The data of {@code page} as of now.
     *
     * @param cursor what the viewer already has of the task stream (0: nothing); the answer carries the next
     *               cursor as {@code "cursor"} and only the spans after this one
     */
    JsonObject page(Page page, long cursor);

    /** A short summary of the scheduler (role, counts), also served as JSON. */
    JsonObject summary();
}
