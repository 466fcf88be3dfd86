package io.partita.client.progress;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class TaskProgressTest {
    private final ByteArrayOutputStream captured = new ByteArrayOutputStream();
    private final PrintStream stream = new PrintStream(captured, true, StandardCharsets.UTF_8);

    private String text() {
        return captured.toString(StandardCharsets.UTF_8);
    }

    @Test
    void aStreamThatIsNotATerminalGetsNothingButTheTasksAreStillCounted() {
        try (TaskProgress p = TaskProgress.start("tasks", 4, ProgressOutput.ifTerminal(stream, false))) {
            p.ended(true);
            p.ended(false);
            p.refresh();
            assertThat(p.ended()).isEqualTo(2);
            assertThat(p.erred()).isEqualTo(1);
        }
        assertThat(text()).isEmpty();
    }

    @Test
    void theTestJvmsOutputIsNotATerminalSoAutoIsQuiet() {
        // surefire pipes the forked JVM's output: exactly the redirected case that must stay quiet
        assertThat(ProgressOutput.auto().quiet()).isTrue();
    }

    @Test
    void aForcedStreamShowsCountsRateEtaAndErrors() {
        try (TaskProgress p = TaskProgress.start("tasks", 10, ProgressOutput.forced(stream, 120))) {
            for (int i = 0; i < 4; i++) {
                p.ended(true);
            }
            p.refresh();
            assertThat(text()).contains("4/10 tasks").contains("40%").contains("tasks/s")
                    .containsPattern("\\(\\d+:\\d\\d:\\d\\d / \\d+:\\d\\d:\\d\\d\\)"); // elapsed / ETA
            for (int i = 0; i < 6; i++) {
                p.ended(i != 0);
            }
        }
        String last = lastLine(text());
        assertThat(last).contains("10/10 tasks").contains("100%").contains("1 erred");
        assertThat(text()).startsWith("\r").endsWith("\n"); // redrawn with carriage returns; closing ends the line
        assertThat(text()).doesNotContain("\u001b"); // no cursor moves on a stream that may not be a terminal
    }

    @Test
    void aNarrowerWidthDrawsAShorterBar() {
        assertThat(drawnAt(60).length()).isLessThan(drawnAt(120).length());
    }

    private static String drawnAt(int width) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (TaskProgress p = TaskProgress.start("tasks", 1000, ProgressOutput.forced(new PrintStream(out, true,
                StandardCharsets.UTF_8), width))) {
            p.ended(true);
        }
        return lastLine(out.toString(StandardCharsets.UTF_8));
    }

    private static String lastLine(String s) {
        String[] lines = s.split("[\r\n]+");
        return lines[lines.length - 1];
    }
}
