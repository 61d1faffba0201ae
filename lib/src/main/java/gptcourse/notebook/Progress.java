package gptcourse.notebook;

import java.io.PrintStream;
import java.util.function.LongSupplier;

/**
 * A tqdm-like progress bar: {@code Progress bar = Progress.start(total); bar.update();
 * bar.setDescription("Epoch 1, loss: 5.123"); bar.close();}. In a notebook it is one output line
 * redrawn in place (at most ten times a second); elsewhere it prints a line at most every
 * {@code printEverySeconds} seconds, when the count reaches the total and when closed (if changed),
 * so logs of long runs stay readable. The counting, the line and the throttling are {@link
 * ProgressMeter}'s; this class only sends the line to the notebook or the stream.
 */
public final class Progress implements AutoCloseable {
    private final ProgressMeter meter;
    private final PrintStream out;
    private final String displayId;
    private boolean closed;

    private Progress(long total, PrintStream out, double printEverySeconds, LongSupplier clock) {
        boolean inNotebook = Notebook.active();
        this.meter = ProgressMeter.steps(total, inNotebook ? ProgressMeter.REDRAW_NANOS
                : (long) (Math.max(0, printEverySeconds) * 1e9), clock);
        this.out = out;
        this.displayId = inNotebook ? Notebook.display(Outputs.text(this::line)) : null;
    }

    /** A bar for {@code total} steps, in the notebook or printing to standard output every 10 s. */
    public static Progress start(long total) {
        return start(total, System.out, 10);
    }

    /** As {@link #start(long)}, printing to {@code out} every {@code printEverySeconds} outside a notebook. */
    public static Progress start(long total, PrintStream out, double printEverySeconds) {
        return start(total, out, printEverySeconds, System::nanoTime);
    }

    /** As {@link #start(long, PrintStream, double)} on {@code clock} (nanoseconds, any origin); for tests. */
    static Progress start(long total, PrintStream out, double printEverySeconds, LongSupplier clock) {
        return new Progress(total, out, printEverySeconds, clock);
    }

    /** One more step done. */
    public synchronized void update() {
        update(1);
    }

    /** {@code n} more steps done (the count stays within [0, total]). */
    public synchronized void update(long n) {
        meter.advance(n);
        meter.redraw(false, this::draw);
    }

    /** The text before the bar, e.g. {@code "Epoch 1, loss: 5.123, accuracy: 0.12"}. */
    public synchronized void setDescription(String text) {
        meter.describe(text);
        meter.redraw(false, this::draw);
    }

    /** Steps done so far. */
    public synchronized long count() {
        return meter.count();
    }

    /** Draws the final state, if it was not drawn yet. */
    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            meter.redraw(true, this::draw);
        }
    }

    /** The bar as text: {@code Epoch 1, loss: 5.123  40%|██████████               | 200/500 [00:12<00:18, 16.20 it/s]}. */
    public synchronized String line() {
        return meter.line().text();
    }

    private void draw() {
        if (displayId != null) {
            Notebook.update(displayId, Outputs.text(this::line));
        } else {
            out.println(line());
            out.flush();
        }
    }
}
