package io.partita.client.progress;

import java.io.Console;
import java.io.PrintStream;
import java.util.Objects;

/**
 * Where a progress bar is drawn. {@link #auto()}: on standard output when it is a terminal, nowhere otherwise (so
 * logs and redirected output stay clean); {@link #forced} draws on any stream, e.g. an IDE console that is not a
 * terminal; {@link #none()} draws nothing.
 *
 * @param stream the stream drawn on; null draws nothing
 * @param width  the bar line's width in characters, drawn with carriage returns only; 0 asks the terminal for its
 *               width and redraws in place with cursor moves
 */
public record ProgressOutput(PrintStream stream, int width) {
    public ProgressOutput {
        if (width < 0) {
            throw new IllegalArgumentException("width must not be negative: " + width);
        }
    }

    /** Standard output if it is a terminal ({@link Console#isTerminal()}), else nothing. */
    public static ProgressOutput auto() {
        return ifTerminal(System.out, isTerminal(System.console()));
    }

    /** {@code stream}, at the terminal's width, if {@code terminal}; else nothing. */
    public static ProgressOutput ifTerminal(PrintStream stream, boolean terminal) {
        return terminal ? new ProgressOutput(stream, 0) : none();
    }

    /** Draws on {@code stream} whether or not it is a terminal, lines of {@code width} characters. */
    public static ProgressOutput forced(PrintStream stream, int width) {
        return new ProgressOutput(Objects.requireNonNull(stream, "stream"), width);
    }

    public static ProgressOutput none() {
        return new ProgressOutput(null, 0);
    }

    public boolean quiet() {
        return stream == null;
    }

    static boolean isTerminal(Console console) {
        return console != null && console.isTerminal();
    }
}
