package io.partita.common.auth;

import static io.partita.common.auth.WebAccess.Verdict.ALLOW;
import static io.partita.common.auth.WebAccess.Verdict.BAD_HOST;
import static io.partita.common.auth.WebAccess.Verdict.BAD_ORIGIN;
import static io.partita.common.auth.WebAccess.Verdict.UNAUTHENTICATED;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class WebAccessTest {
    private final WebAccess guarded = new WebAccess(new ClusterToken(Optional.of("new"), List.of("old")),
            List.of("sched-0.partita.svc"), List.of("partita.example.com"), false);

    @Test
    void hostsAreIpLiteralsLocalhostOwnNamesOrAllowedNamesNeverARebindingName() {
        WebAccess open = WebAccess.open();
        for (String host : List.of("127.0.0.1:8787", "10.1.2.3", "[::1]:8787", "localhost:8787", "LOCALHOST")) {
            assertThat(open.check(true, "/status", host, null, null, null)).as(host).isEqualTo(ALLOW);
        }
        assertThat(open.check(true, "/status", "evil.example:8787", null, null, null)).isEqualTo(BAD_HOST);
        assertThat(open.check(true, "/status", null, null, null, null)).isEqualTo(BAD_HOST);
        assertThat(guarded.check(true, "/health", "sched-0.partita.svc:8787", null, null, null)).isEqualTo(ALLOW);
        assertThat(guarded.check(true, "/health", "partita.example.com", null, null, null)).isEqualTo(ALLOW);
        assertThat(guarded.check(true, "/health", "anything.example", null, null, null)).as("probes").isEqualTo(ALLOW);
        // with a token, the API and worker ports take any name (in-cluster Service names): the token guards them
        assertThat(guarded.check(false, "/api/cluster", "partita-scheduler.data.svc:8786", null, "Bearer new", null)).isEqualTo(ALLOW);
        assertThat(open.check(false, "/api/cluster", "rebound.example:8786", null, null, null)).isEqualTo(BAD_HOST);
        assertThat(new WebAccess(ClusterToken.none(), List.of(), List.of("*"), false)
                .check(true, "/status", "anything.example", null, null, null)).isEqualTo(ALLOW);
    }

    @Test
    void aPageOfAnotherSiteIsRefusedEvenOnAnOpenClusterAndEvenByIpLiteral() {
        WebAccess open = WebAccess.open();
        assertThat(open.check(true, "/api/client", "127.0.0.1:8786", "http://127.0.0.1:8787", null, null)).isEqualTo(ALLOW);
        assertThat(open.check(true, "/api/client", "127.0.0.1:8786", "http://evil.example", null, null)).isEqualTo(BAD_ORIGIN);
        assertThat(open.check(true, "/api/client", "127.0.0.1:8786", "http://6.6.6.6", null, null)).isEqualTo(BAD_ORIGIN);
        assertThat(open.check(true, "/api/client", "127.0.0.1:8786", "null", null, null)).isEqualTo(BAD_ORIGIN);
        assertThat(guarded.check(true, "/status", "10.0.0.5", "https://partita.example.com", "Bearer new", null)).isEqualTo(ALLOW);
    }

    @Test
    void withATokenEveryRouteButHealthLoginAssetsAndMetricsNeedsTheHeaderOrTheSessionCookie() {
        for (String path : List.of("/health", "/login", "/metrics", "/dashboard/assets/status.js")) {
            assertThat(guarded.check(true, path, "localhost", null, null, null)).as(path).isEqualTo(ALLOW);
        }
        for (String path : List.of("/status", "/dashboard/data.json", "/dashboard/events", "/api/store", "/")) {
            assertThat(guarded.check(true, path, "localhost", null, null, null)).as(path).isEqualTo(UNAUTHENTICATED);
            assertThat(guarded.check(true, path, "localhost", null, "Bearer wrong", null)).as(path).isEqualTo(UNAUTHENTICATED);
            assertThat(guarded.check(true, path, "localhost", null, "Bearer new", null)).as(path).isEqualTo(ALLOW);
            assertThat(guarded.check(true, path, "localhost", null, "Bearer old", null)).as(path).isEqualTo(ALLOW);
        }
        String cookie = guarded.sessionCookie(false);
        assertThat(cookie).contains("HttpOnly").contains("SameSite=Strict").doesNotContain("new").doesNotContain("Secure");
        String value = cookie.substring(0, cookie.indexOf(';'));
        assertThat(guarded.check(true, "/status", "localhost", null, null, "a=b; " + value)).isEqualTo(ALLOW);
        assertThat(guarded.check(true, "/status", "localhost", null, null, WebAccess.COOKIE + "=forged")).isEqualTo(UNAUTHENTICATED);
        assertThat(guarded.sessionCookie(true)).endsWith("; Secure");
    }

    @Test
    void metricsCanBePutBehindTheToken() {
        WebAccess strict = new WebAccess(ClusterToken.of("t"), List.of(), List.of(), true);
        assertThat(strict.check(true, "/metrics", "localhost", null, null, null)).isEqualTo(UNAUTHENTICATED);
        assertThat(strict.check(true, "/metrics", "localhost", null, "Bearer t", null)).isEqualTo(ALLOW);
        assertThat(strict.check(true, "/health", "localhost", null, null, null)).isEqualTo(ALLOW);
    }

    @Test
    void theLoginAcceptsEveryTokenOfARotation() {
        assertThat(guarded.acceptsLogin("new")).isTrue();
        assertThat(guarded.acceptsLogin(" old ")).isTrue();
        assertThat(guarded.acceptsLogin("")).isFalse();
        assertThat(guarded.acceptsLogin("nope")).isFalse();
    }
}
