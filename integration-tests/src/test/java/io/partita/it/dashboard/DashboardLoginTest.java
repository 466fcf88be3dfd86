package io.partita.it.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.Page;
import io.partita.it.ClusterProcesses;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A cluster with a token, its dashboard in headless Chromium: the pages are reached only through the login page,
 * a wrong token is refused there, the right one opens a session kept in an HttpOnly cookie that the page's scripts
 * cannot read, and the live feed then works.
 */
@Timeout(180)
class DashboardLoginTest {
    private static final String TOKEN = "dashboard-login-" + System.nanoTime();

    @Test
    void thePagesNeedTheTokenThroughTheLoginPageAndItsSessionCookie() throws Exception {
        try (ClusterProcesses cluster = ClusterProcesses.scheduler("dashboard-login", TOKEN);
             Browser browser = new Browser()) {
            String base = "http://127.0.0.1:" + cluster.dashboardPort;
            Page page = browser.open(base + "/workers");
            page.waitForURL("**/login?next=%2Fworkers");
            assertThat(page.isVisible("#login-error")).isFalse();

            page.fill("#token", "not-the-token");
            page.click("#sign-in");
            page.waitForSelector("#login-error:not([hidden])");
            assertThat(page.url()).endsWith("/login");

            page.fill("#token", TOKEN);
            page.click("#sign-in");
            page.waitForURL("**/workers");
            page.waitForSelector("body[data-connection=live]");
            assertThat(page.evaluate("document.cookie")).as("the session cookie is HttpOnly").isEqualTo("");
            assertThat(page.content()).doesNotContain(TOKEN);
            Browser.screenshot(page, "after-login");
        }
    }
}
