package gptcourse.notebook;

import java.io.PrintStream;
import java.util.Locale;

/**
 * A tqdm-like progress bar: {@code Progress bar = Progress.start(total); bar.update();
 * bar.setDescription("Epoch 1, loss: 5.123"); bar.close();}. In a notebook it is one output line
 * redrawn in place (at most ten times a second); elsewhere it prints a line at most every
 * {@code printEverySeconds} seconds and when closed, so logs of long runs stay readable.
 */
public final class Progress implements AutoCloseable {
    private static final int WIDTH = 25;
    private static final long REDRAW_NANOS = 100_000_000L;

    private final long total;
    private final PrintStream out;
    private final long printEveryNanos;
    private final long startNanos = System.nanoTime();
    private final String displayId;
    private long count;
    private String description = "";
    /** When the bar was last drawn; meaningless until {@link #drawn} (nanoTime has no fixed origin). */
    private long lastDrawNanos;
    private boolean drawn;
    private boolean closed;

    private Progress(long total, PrintStream out, double printEverySeconds) {
        if (total < 1) {
            throw new IllegalArgumentException("a progress bar needs a total of at least 1, got " + total);
        }
        this.total = total;
        this.out = out;
        this.printEveryNanos = (long) (printEverySeconds * 1e9);
        this.displayId = Notebook.display(Outputs.text(this::line));
    }

    /** A bar for {@code total} steps, in the notebook or printing to standard output every 10 s. */
    public static Progress start(long total) {
        return new Progress(total, System.out, 10);
    }

    /** As {@link #start(long)}, printing to {@code out} every {@code printEverySeconds} outside a notebook. */
    public static Progress start(long total, PrintStream out, double printEverySeconds) {
        return new Progress(total, out, printEverySeconds);
    }

    /** One more step done. */
    public synchronized void update() {
        update(1);
    }

    /** {@code n} more steps done. */
    public synchronized void update(long n) {
        count = Math.min(total, count + n);
        redraw(false);
    }

    /** The text before the bar, e.g. {@code "Epoch 1, loss: 5.123, accuracy: 0.12"}. */
    public synchronized void setDescription(String text) {
        description = text == null ? "" : text;
        redraw(false);
    }

    /** Steps done so far. */
    public synchronized long count() {
        return count;
    }

    /** Draws the final state. */
    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            redraw(true);
        }
    }

    /** The bar as text: {@code Epoch 1, loss: 5.123  40%|██████████               | 200/500 [00:12<00:18, 16.2 it/s]}. */
    public synchronized String line() {
        double seconds = (System.nanoTime() - startNanos) / 1e9;
        double rate = count / Math.max(seconds, 1e-9);
        int filled = (int) (WIDTH * count / total);
        String remaining = count == 0 ? "?" : clock((total - count) / rate);
        return String.format(Locale.ROOT, "%s%3d%%|%s%s| %d/%d [%s<%s, %.2f it/s]",
                description.isEmpty() ? "" : description + " ", (int) (100 * count / total), "█".repeat(filled),
                " ".repeat(WIDTH - filled), count, total, clock(seconds), remaining, rate);
    }

    private void redraw(boolean force) {
        long now = System.nanoTime();
        long interval = displayId != null ? REDRAW_NANOS : printEveryNanos;
        if (!force && drawn && now - lastDrawNanos < interval) {
            return;
        }
        drawn = true;
        lastDrawNanos = now;
        if (displayId != null) {
            Notebook.update(displayId, Outputs.text(this::line));
        } else {
            out.println(line());
            out.flush();
        }
    }

    private static String clock(double seconds) {
        long s = Math.round(seconds);
        return s >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
                : String.format(Locale.ROOT, "%02d:%02d", s / 60, s % 60);
    }
}
