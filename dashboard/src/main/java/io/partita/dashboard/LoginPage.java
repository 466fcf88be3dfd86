package io.partita.dashboard;

import io.partita.common.auth.WebAccess;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.nio.charset.StandardCharsets;

/**
 * {@code /login}: a form for the cluster token that answers a right one with the session cookie of {@link WebAccess}
 * (HttpOnly, SameSite=Strict, Secure over TLS) and sends the browser back to the page it asked for.
 */
final class LoginPage {
    /** A form with a token and a path: anything bigger is not ours. */
    private static final int MAX_BODY_BYTES = 4096;

    private final WebAccess access;
    private final String template;

    LoginPage(WebAccess access, String template) {
        this.access = access;
        this.template = template;
    }

    void mount(Router router) {
        router.get(WebAccess.LOGIN_PATH).handler(ctx -> {
            if (!access.tokenRequired()) {
                ctx.redirect("/status");
            } else {
                page(ctx, 200, ctx.queryParams().get("next"), false);
            }
        });
        router.post(WebAccess.LOGIN_PATH).handler(BodyHandler.create(false).setBodyLimit(MAX_BODY_BYTES));
        router.post(WebAccess.LOGIN_PATH).handler(ctx -> {
            String next = ctx.request().getFormAttribute("next");
            if (!access.tokenRequired() || !access.acceptsLogin(ctx.request().getFormAttribute("token"))) {
                page(ctx, access.tokenRequired() ? 401 : 400, next, true);
                return;
            }
            ctx.response().setStatusCode(303).putHeader("set-cookie", access.sessionCookie(ctx.request().isSSL()))
                    .putHeader("location", safe(next)).end();
        });
    }

    private void page(RoutingContext ctx, int status, String next, boolean failed) {
        String html = template.replace("{{next}}", escape(safe(next))).replace("{{errorHidden}}", failed ? "" : "hidden");
        ctx.response().setStatusCode(status).putHeader("content-type", "text/html; charset=utf-8")
                .putHeader("cache-control", "no-store").end(html);
    }

    /** Only a path of this dashboard: never another site (an open redirect). */
    static String safe(String next) {
        return next != null && next.startsWith("/") && !next.startsWith("//") && !next.contains("\\") ? next : "/status";
    }

    private static String escape(String s) {
        StringBuilder out = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }

    static String template(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
