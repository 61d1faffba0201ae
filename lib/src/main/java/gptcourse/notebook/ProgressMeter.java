package gptcourse.notebook;

import java.util.function.LongSupplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import gptcourse.notebook.ProgressLine.Unit;

/**
 * The logic every progress bar of the course shares: it counts steps (or bytes) towards a total,
 * measures the rate and times on a clock, makes the {@link ProgressLine}, and decides when the bar
 * may be redrawn. The bars themselves ({@link Progress}, the downloader's bar on standard error,
 * the kernel's {@code ProgressBar}) only decide where the line goes.
 *
 * <p>Redraws are throttled: a change is drawn at once the first time, when the count reaches the
 * total, and when the bar closes; otherwise at most once per interval. A tight loop therefore
 * sends a handful of updates a second, never one per step (Jupyter clients drop messages past
 * their rate limits). If drawing throws, the bar logs it once and stops drawing; counting goes on.
 *
 * <p>Not thread-safe: each bar calls it under its own lock.
 */
public final class ProgressMeter {
    /** The interval between redraws of a bar shown in place (a notebook output, a terminal line). */
    public static final long REDRAW_NANOS = 100_000_000L;

    private static final Logger LOG = LoggerFactory.getLogger(ProgressMeter.class);

    private final long total;
    private final long initial;
    private final Unit unit;
    private final long intervalNanos;
    private final LongSupplier clock;
    private final long startNanos;
    private long count;
    private String description = "";
    private String postfix = "";
    /** Changes of the count or texts so far, and how many of them the last drawing showed. */
    private long changes;
    private long drawnChanges;
    private boolean drawn;
    /** When and at what count the bar was last drawn; meaningless until {@link #drawn}. */
    private long lastDrawNanos;
    private long lastDrawnCount;
    private boolean broken;

    private ProgressMeter(long total, long initial, Unit unit, long intervalNanos, LongSupplier clock) {
        if (intervalNanos < 0) {
            throw new IllegalArgumentException("a redraw interval can't be negative, got " + intervalNanos + " ns");
        }
        this.total = total;
        this.initial = Math.max(0, initial);
        this.unit = unit;
        this.intervalNanos = intervalNanos;
        this.clock = clock;
        this.startNanos = clock.getAsLong();
        this.count = this.initial;
    }

    /**
     * A meter of {@code total} steps.
     *
     * @param intervalNanos the least time between two throttled redraws
     * @param clock         nanoseconds on an arbitrary origin, e.g. {@code System::nanoTime}
     */
    public static ProgressMeter steps(long total, long intervalNanos, LongSupplier clock) {
        if (total < 1) {
            throw new IllegalArgumentException("A progress bar needs a total of at least 1 step, got " + total
                    + ". Pass the number of steps the loop will make, e.g. the number of batches times the epochs.");
        }
        return new ProgressMeter(total, 0, Unit.STEPS, intervalNanos, clock);
    }

    /**
     * A meter of bytes, e.g. of a download.
     *
     * @param total   the size in bytes, or 0 or less if unknown (the line then has no bar)
     * @param initial bytes already there (a resumed download): counted, but not in the rate
     */
    public static ProgressMeter bytes(long total, long initial, long intervalNanos, LongSupplier clock) {
        return new ProgressMeter(total, initial, Unit.BYTES, intervalNanos, clock);
    }

    /** Adds {@code n} to the count (clamped like {@link #set}). */
    public void advance(long n) {
        long sum = count + n;
        boolean overflow = ((count ^ sum) & (n ^ sum)) < 0;
        set(overflow ? (n > 0 ? Long.MAX_VALUE : 0) : sum);
    }

    /** Sets the count, clamped to [0, total] (to 0 and up when the total is unknown). */
    public void set(long value) {
        long clamped = ProgressLine.clamp(value, total);
        if (clamped != count) {
            count = clamped;
            changes++;
        }
    }

    /** @param text the text before the bar; null for none */
    public void describe(String text) {
        String t = text == null ? "" : text;
        if (!t.equals(description)) {
            description = t;
            changes++;
        }
    }

    /** @param text the text after the rate; null for none */
    public void postfix(String text) {
        String t = text == null ? "" : text;
        if (!t.equals(postfix)) {
            postfix = t;
            changes++;
        }
    }

    /** @return the count: steps (or bytes) done */
    public long count() {
        return count;
    }

    /** @return the total, or 0 or less if unknown */
    public long total() {
        return total;
    }

    /** @return the bar's state now */
    public ProgressLine line() {
        double seconds = Math.max(0, (clock.getAsLong() - startNanos) / 1e9);
        long counted = count - initial;
        double rate = counted > 0 && seconds > 0 ? counted / seconds : Double.NaN;
        return new ProgressLine(description, count, total, seconds, rate, postfix, unit);
    }

    /**
     * Runs {@code draw} if the bar is due for a redraw (see the class comment) and notes the time.
     *
     * @param closing true for the bar's last drawing: drawn if anything changed since the last one
     * @return true if {@code draw} ran and returned normally
     */
    public boolean redraw(boolean closing, Runnable draw) {
        if (broken || !due(closing)) {
            return false;
        }
        try {
            draw.run();
            return true;
        } catch (RuntimeException e) {
            broken = true;
            LOG.warn("A progress bar could not be drawn ({}); it keeps counting but is not shown any more.",
                    e.toString(), e);
            return false;
        }
    }

    private boolean due(boolean closing) {
        long now = clock.getAsLong();
        boolean changed = changes != drawnChanges;
        boolean reachedTotal = total > 0 && count == total && lastDrawnCount != total;
        // the first drawing is always due: the clock's origin is arbitrary, so never compare it with 0
        boolean due = !drawn || changed && (closing || reachedTotal || now - lastDrawNanos >= intervalNanos);
        if (due) {
            drawn = true;
            lastDrawNanos = now;
            lastDrawnCount = count;
            drawnChanges = changes;
        }
        return due;
    }
}
