package io.partita.dashboard;

import java.util.List;
import java.util.stream.Collectors;

/**
 * One shell for every dashboard page: {@code shell.html} holds the head, the header with its navigation, the
 * banners and the feed script; a page's file holds only its {@code <main>} and its own scripts, in that order.
 */
final class PageShell {
    private final String shell;
    private final List<String> pages;

    /** @param pages the pages in navigation order, by name (status, workers, graph) */
    PageShell(String shell, List<String> pages) {
        this.shell = shell;
        this.pages = List.copyOf(pages);
    }

    /** The whole HTML of {@code page}, from the page's own part ({@code <main>...</main>} then its scripts). */
    String render(String page, String part) {
        String body = part.lines().filter(line -> !line.startsWith("<!--")).collect(Collectors.joining("\n"));
        int scripts = body.indexOf("<script");
        String main = scripts < 0 ? body : body.substring(0, scripts).stripTrailing();
        String own = scripts < 0 ? "" : body.substring(scripts).stripTrailing();
        return shell.replace("{{title}}", title(page))
                .replace("{{page}}", page)
                .replace("{{nav}}", nav(page))
                .replace("{{main}}", main)
                .replace("{{scripts}}\n", own.isEmpty() ? "" : own + "\n");
    }

    private String nav(String current) {
        return pages.stream()
                .map(p -> "    <a href=\"/" + p + "\" " + (p.equals(current) ? "aria-current=\"page\"" : "") + ">"
                        + title(p) + "</a>")
                .collect(Collectors.joining("\n"));
    }

    private static String title(String page) {
        return Character.toUpperCase(page.charAt(0)) + page.substring(1);
    }
}
