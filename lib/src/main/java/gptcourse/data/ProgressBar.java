package gptcourse.data;

import java.io.PrintStream;
import java.util.function.LongSupplier;

import gptcourse.notebook.ProgressMeter;

/**
 * A download's progress bar on a terminal stream: one line redrawn with {@code \r}, e.g.
 * {@code TinyStories-train.txt  42%|██████████               | 806 MB/1.92 GB [00:25<00:35, 31.4 MB/s]}.
 * {@link ProgressMeter} counts, makes the line and throttles the redraws; this class only writes it.
 */
final class ProgressBar {

    private final PrintStream out;
    private final ProgressMeter meter;
    /** Length of the line on screen, so that a shorter line blanks the rest of it. */
    private int shown;
    private boolean finished;

    /**
     * @param total      the size in bytes, or 0 or less if unknown
     * @param startBytes bytes already present (resumed), not counted in the speed
     */
    ProgressBar(PrintStream out, String label, long total, long startBytes) {
        this(out, label, total, startBytes, System::nanoTime);
    }

    /** @param clock nanoseconds on any origin (tests pass their own) */
    ProgressBar(PrintStream out, String label, long total, long startBytes, LongSupplier clock) {
        this.out = out;
        this.meter = ProgressMeter.bytes(total, startBytes, ProgressMeter.REDRAW_NANOS, clock);
        meter.describe(label);
    }

    /** @param done bytes received so far, including the resumed ones */
    void update(long done) {
        meter.set(done);
        meter.redraw(false, this::draw);
    }

    /** Draws the final state and ends the line. */
    void finish(long done) {
        if (finished) {
            return;
        }
        finished = true;
        meter.set(done);
        meter.redraw(true, this::draw);
        if (shown > 0) {
            out.println();
        }
        out.flush();
    }

    /** @return the line as it would be drawn now */
    String line() {
        return meter.line().text();
    }

    private void draw() {
        String line = line();
        out.print("\r" + line + " ".repeat(Math.max(0, shown - line.length())));
        out.flush();
        shown = Math.max(shown, line.length());
    }
}
