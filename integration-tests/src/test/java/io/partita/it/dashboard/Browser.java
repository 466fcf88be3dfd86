package io.partita.it.dashboard;

import com.microsoft.playwright.Browser.NewContextOptions;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.BrowserType;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Debian's headless Chromium driven by Playwright: no browser is downloaded (PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD), the
 * one at {@link #CHROMIUM} is used. Screenshots go to {@code target/dashboard-screenshots}.
 */
final class Browser implements AutoCloseable {
    static final Path CHROMIUM = Path.of(System.getProperty("partita.chromium", "/usr/bin/chromium"));
    static final Path SCREENSHOTS = Path.of("target", "dashboard-screenshots");

    private final Playwright playwright;
    private final com.microsoft.playwright.Browser browser;
    private final BrowserContext context;

    Browser() {
        this(List.of());
    }

    /** With more Chromium flags, e.g. {@code --ignore-certificate-errors-spki-list=...} to trust a test CA. */
    Browser(List<String> extraArgs) {
        if (!Files.isExecutable(CHROMIUM)) {
            throw new IllegalStateException(CHROMIUM + " is missing: install Debian's chromium (apt-get install -y "
                    + "chromium; .ci/run does it) or point -Dpartita.chromium at a Chromium");
        }
        playwright = Playwright.create(new Playwright.CreateOptions()
                .setEnv(Map.of("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")));
        browser = playwright.chromium().launch(new BrowserType.LaunchOptions().setExecutablePath(CHROMIUM).setHeadless(true)
                .setArgs(java.util.stream.Stream.concat(Stream.of("--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                        "--disable-background-networking", "--disable-component-update", "--disable-sync"), extraArgs.stream()).toList()));
        context = browser.newContext(new NewContextOptions().setViewportSize(1400, 1000));
    }

    Page open(String url) {
        Page page = context.newPage();
        page.setDefaultTimeout(60_000);
        page.navigate(url);
        return page;
    }

    static Path screenshot(Page page, String name) throws java.io.IOException {
        Files.createDirectories(SCREENSHOTS);
        Path file = SCREENSHOTS.resolve(name + ".png");
        page.screenshot(new Page.ScreenshotOptions().setPath(file).setFullPage(true));
        return file;
    }

    @Override
    public void close() {
        context.close();
        browser.close();
        playwright.close();
    }
}
