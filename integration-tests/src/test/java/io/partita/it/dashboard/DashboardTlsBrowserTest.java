package io.partita.it.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.microsoft.playwright.Page;
import com.microsoft.playwright.PlaywrightException;
import io.partita.client.Client;
import io.partita.client.ClientOptions;
import io.partita.client.SubmitOptions;
import io.partita.client.TaskFuture;
import io.partita.it.ClusterProcesses;
import io.partita.it.TlsFixture;
import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * The dashboard over https in headless Chromium, against a TLS cluster whose test CA the browser trusts (the SPKI
 * hashes of the CA and of the scheduler's certificate given to {@code --ignore-certificate-errors-spki-list}: Chromium
 * compares them with the chain the server sends, the leaf alone here): the pages load, the live updates (server-sent
 * events) flow, a graph's progress reaches 100 %. The same browser without them is refused.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(240)
class DashboardTlsBrowserTest {
    private TlsFixture tls;
    private ClusterProcesses cluster;
    private String base;

    @BeforeAll
    void start() throws Exception {
        tls = TlsFixture.tls("dashboard");
        cluster = ClusterProcesses.scheduler("dashboard-tls", null, tls);
        cluster.addWorker(2);
        cluster.awaitWorkers(1);
        base = "https://127.0.0.1:" + cluster.dashboardPort;
    }

    @AfterAll
    void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void pagesAndLiveUpdatesWorkOverHttpsWithTheTestCaTrusted() throws Exception {
        try (Browser browser = new Browser(List.of("--ignore-certificate-errors-spki-list=" + tls.ca.spkiSha256() + ","
                + io.partita.testnet.TestCa.spkiSha256(tls.scheduler.certificate())));
             Client client = Client.connect(ClientOptions.of(cluster.address()).withTls(tls.clientConfig()))) {
            Page page = browser.open(base + "/");
            page.waitForURL("**/status");
            assertThat(page.url()).startsWith("https://");
            page.waitForSelector("body[data-connection=live]");
            page.waitForFunction("document.querySelectorAll('#memory .row').length === 1");
            assertThat(page.locator("#memory .row").getAttribute("data-worker")).isEqualTo("w1");

            List<TaskFuture<Integer>> slow = client.map(DashboardTasks.sleepThenEcho(100), IntStream.range(0, 20).boxed().toList(),
                    SubmitOptions.defaults().prefix("slow"));
            TaskFuture<Integer> total = client.submitWith(SubmitOptions.defaults().prefix("total"), DashboardTasks.sum(), slow);
            assertThat(total.result(Duration.ofSeconds(60))).isEqualTo(190);
            page.waitForFunction("() => { const r = document.querySelector('#progress .row[data-group=slow]');"
                    + " return r && r.dataset.finished === '20'; }");
            Browser.screenshot(page, "status-tls");

            Page workers = browser.open(base + "/workers");
            workers.waitForFunction("document.querySelectorAll('#workers tbody tr').length === 1");
            Browser.screenshot(workers, "workers-tls");
        }
    }

    @Test
    void aBrowserThatDoesNotTrustTheCaIsRefused() {
        try (Browser browser = new Browser()) {
            assertThatThrownBy(() -> browser.open(base + "/status")).isInstanceOf(PlaywrightException.class)
                    .hasMessageContaining("ERR_CERT_AUTHORITY_INVALID");
        }
    }
}
