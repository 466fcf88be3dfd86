package io.partita.client.progress;

import java.time.temporal.ChronoUnit;
import java.util.concurrent.atomic.AtomicLong;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.InteractiveConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarConsumer;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * A console progress bar over a known number of tasks (drawn by the progressbar library): percentage, bar, tasks
 * ended of the total, elapsed time and ETA, rate in tasks per second, and how many erred. Redrawn in place a few times
 * a second on the library's own thread; {@link #ended} only counts, so it is cheap from any thread. When the output
 * is {@linkplain ProgressOutput#quiet() quiet} it only counts.
 */
public final class TaskProgress implements AutoCloseable {
    /** How often the bar is redrawn. */
    static final int REDRAW_MS = 200;

    private final long total;
    private final AtomicLong ended = new AtomicLong();
    private final AtomicLong erred = new AtomicLong();
    private final ProgressBar bar;
    private final OnceClosed consumer;

    private TaskProgress(long total, ProgressBar bar, OnceClosed consumer) {
        this.total = total;
        this.bar = bar;
        this.consumer = consumer;
    }

    /** Starts drawing a bar named {@code name} for {@code total} tasks on {@code output}. */
    public static TaskProgress start(String name, long total, ProgressOutput output) {
        if (total < 0) {
            throw new IllegalArgumentException("total must not be negative: " + total);
        }
        if (output.quiet()) {
            return new TaskProgress(total, null, null);
        }
        // a terminal gets the bar redrawn in place with cursor moves; a forced stream (an IDE console, a file) only
        // carriage returns, which every console understands
        OnceClosed consumer = new OnceClosed(output.width() > 0
                ? new ConsoleProgressBarConsumer(output.stream(), output.width())
                : new InteractiveConsoleProgressBarConsumer(output.stream()));
        ProgressBar bar = new ProgressBarBuilder().setTaskName(name).setInitialMax(total)
                .setStyle(ProgressBarStyle.UNICODE_BLOCK).setUnit(" tasks", 1).showSpeed()
                .setSpeedUnit(ChronoUnit.SECONDS).setUpdateIntervalMillis(REDRAW_MS).setConsumer(consumer).build();
        return new TaskProgress(total, bar, consumer);
    }

    /** One task ended: finished ({@code ok}), or erred, cancelled or lost. Thread-safe. */
    public void ended(boolean ok) {
        ended.incrementAndGet();
        if (!ok) {
            erred.incrementAndGet();
        }
        if (bar != null) {
            bar.step();
            if (!ok) {
                bar.setExtraMessage(" " + erred.get() + " erred");
            }
        }
    }

    public long total() {
        return total;
    }

    public long ended() {
        return ended.get();
    }

    public long erred() {
        return erred.get();
    }

    /** Draws the bar now rather than at the next redraw. */
    public void refresh() {
        if (bar != null) {
            bar.refresh();
        }
    }

    /** Draws the bar a last time and ends its line. */
    @Override
    public void close() {
        if (bar != null) {
            bar.close();
            consumer.close();
        }
    }

    /**
     * Closes its consumer once. ProgressBar 0.10.2 draws the last state but leaves its consumer open (the line not
     * ended) when it is closed before its first scheduled redraw ran, so {@link #close} closes it too.
     */
    private static final class OnceClosed implements ProgressBarConsumer {
        private final ProgressBarConsumer inner;
        private boolean closed;

        OnceClosed(ProgressBarConsumer inner) {
            this.inner = inner;
        }

        @Override
        public int getMaxRenderedLength() {
            return inner.getMaxRenderedLength();
        }

        @Override
        public void accept(String rendered) {
            inner.accept(rendered);
        }

        @Override
        public void clear() {
            inner.clear();
        }

        @Override
        public synchronized void close() {
            if (!closed) {
                closed = true;
                inner.close();
            }
        }
    }
}
