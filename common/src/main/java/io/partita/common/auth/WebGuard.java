package io.partita.common.auth;

import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/** Carries out {@link WebAccess}'s verdict on a Vert.x request: the one place every HTTP port refuses from. */
public final class WebGuard {
    private WebGuard() {
    }

    /**
     * Answers and ends {@code request} when it is refused.
     *
     * @param pages whether this port serves the dashboard: its Host names are always checked, and a browser asking
     *              for a page without the token is sent to the login page instead of a bare 401
     * @return true when the request may go on
     */
    public static boolean admit(WebAccess access, HttpServerRequest request, boolean pages) {
        WebAccess.Verdict verdict = access.check(pages, request.path(), request.getHeader(HttpHeaders.HOST),
                request.getHeader(HttpHeaders.ORIGIN), request.getHeader(HttpHeaders.AUTHORIZATION),
                request.getHeader(HttpHeaders.COOKIE));
        switch (verdict) {
            case ALLOW -> {
                return true;
            }
            case BAD_HOST -> refuse(request, 421, "this port is not served under the name '" + request.getHeader(HttpHeaders.HOST)
                    + "': reach it by its address, or add the name with --allowed-hosts");
            case BAD_ORIGIN -> refuse(request, 403, "requests from pages of " + request.getHeader(HttpHeaders.ORIGIN)
                    + " are refused: add the name with --allowed-hosts if it is yours");
            case UNAUTHENTICATED -> {
                String accept = request.getHeader(HttpHeaders.ACCEPT);
                if (pages && accept != null && accept.contains("text/html")) {
                    String next = request.uri();
                    request.response().setStatusCode(303).putHeader(HttpHeaders.LOCATION, WebAccess.LOGIN_PATH + "?next="
                            + URLEncoder.encode(next, StandardCharsets.UTF_8)).end();
                } else {
                    refuse(request, 401, ClusterToken.UNAUTHENTICATED);
                }
            }
        }
        return false;
    }

    private static void refuse(HttpServerRequest request, int status, String message) {
        request.response().setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, "text/plain; charset=utf-8").end(message);
    }
}
