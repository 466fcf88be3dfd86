package io.partita.scheduler.http;

import io.vertx.ext.web.RoutingContext;

/** The two kinds of answer the scheduler's routes give besides files and WebSockets. */
final class HttpReplies {
    private HttpReplies() {
    }

    static void json(RoutingContext ctx, String body) {
        ctx.response().putHeader("content-type", "application/json").end(body);
    }

    static void text(RoutingContext ctx, int status, String body) {
        ctx.response().setStatusCode(status).putHeader("content-type", "text/plain; charset=utf-8").end(body);
    }
}
