package io.partita.dashboard;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class PageShellTest {
    private static final String SHELL = """
            <title>Partita · {{title}}</title>
            <body data-page="{{page}}">
            <nav>
            {{nav}}
            </nav>
            {{main}}
            <script src="/feed.js"></script>
            {{scripts}}
            </body>
            """;

    private final PageShell shell = new PageShell(SHELL, List.of("status", "graph"));

    @Test
    void pagePartGoesInsideTheShellWithItsOwnScriptsAfterTheSharedOnes() {
        String html = shell.render("graph", """
                <!-- the page's own part -->
                <main id="g"></main>
                <script src="/graph.js"></script>
                """);

        assertThat(html).isEqualTo("""
                <title>Partita · Graph</title>
                <body data-page="graph">
                <nav>
                    <a href="/status" >Status</a>
                    <a href="/graph" aria-current="page">Graph</a>
                </nav>
                <main id="g"></main>
                <script src="/feed.js"></script>
                <script src="/graph.js"></script>
                </body>
                """);
    }

    @Test
    void pageWithoutScriptsOfItsOwnGetsOnlyTheShared() {
        String html = shell.render("status", "<main></main>\n");

        assertThat(html).contains("<a href=\"/status\" aria-current=\"page\">Status</a>")
                .endsWith("<main></main>\n<script src=\"/feed.js\"></script>\n</body>\n");
    }
}
