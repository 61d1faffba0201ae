package gptcourse.kernel;

import java.util.Locale;
import java.util.Set;
import java.util.function.LongSupplier;

import gptcourse.notebook.ProgressLine;
import gptcourse.notebook.ProgressMeter;
import io.github.spencerpark.jupyter.kernel.display.DisplayDataRenderable;
import io.github.spencerpark.jupyter.kernel.display.RenderContext;
import io.github.spencerpark.jupyter.kernel.display.mime.MIMEType;

/**
 * A progress bar that updates in place in the notebook (like tqdm):
 * <pre>{@code
 * var bar = ProgressBar.show("epoch 1", 1000);
 * for (int i = 0; i < 1000; i++) { trainStep(); bar.step(); }
 * bar.done();
 * }</pre>
 * shows {@code epoch 1  40%|██████████               | 400/1000 [00:12<00:18, 33.30 it/s]} (and an
 * HTML {@code <progress>} bar). Updates are sent at most every {@code 100 ms}, plus the one that
 * reaches the total and the one of {@code done()}, so a tight loop doesn't flood the notebook.
 * Outside a kernel it does nothing but count. The counting, the line and the throttling are
 * {@link ProgressMeter}'s; this class only sends Jupyter display-data updates.
 */
public final class ProgressBar implements DisplayDataRenderable {
    private final String label;
    private final ProgressMeter meter;
    private String displayId;

    private ProgressBar(String label, long total, LongSupplier clock) {
        this.label = label == null ? "" : label;
        this.meter = ProgressMeter.steps(total, ProgressMeter.REDRAW_NANOS, clock);
        meter.describe(this.label);
    }

    /**
     * Creates a bar and shows it in the current cell's output.
     *
     * @param label what is progressing, e.g. "epoch 1"
     * @param total the number of steps
     * @return the bar
     */
    public static ProgressBar show(String label, long total) {
        ProgressBar bar = new ProgressBar(label, total, System::nanoTime);
        try {
            bar.displayId = Display.display(bar);
        } catch (IllegalStateException notInKernel) {
            bar.displayId = null;
        }
        return bar;
    }

    /** A bar on {@code clock} (nanoseconds, any origin) that is not shown; for tests. */
    static ProgressBar counting(String label, long total, LongSupplier clock) {
        return new ProgressBar(label, total, clock);
    }

    /** Advances by one step. */
    public synchronized void step() {
        meter.advance(1);
        refresh(false);
    }

    /**
     * @param value the number of steps done (clamped to [0, total])
     */
    public synchronized void set(long value) {
        meter.set(value);
        refresh(false);
    }

    /**
     * @param text shown after the rate, e.g. {@code "loss 2.31"}
     */
    public synchronized void postfix(String text) {
        meter.postfix(text);
        refresh(false);
    }

    /** Marks the bar complete and shows its final state. */
    public synchronized void done() {
        meter.set(meter.total());
        refresh(true);
    }

    /** @return steps done */
    public synchronized long current() {
        return meter.count();
    }

    private void refresh(boolean closing) {
        if (displayId != null) {
            meter.redraw(closing, () -> Display.updateDisplay(displayId, this));
        }
    }

    @Override
    public Set<MIMEType> getSupportedRenderTypes() {
        return Set.of(MIMEType.TEXT_PLAIN, MIMEType.TEXT_HTML);
    }

    @Override
    public synchronized void render(RenderContext context) {
        ProgressLine line = meter.line();
        context.renderIfRequested(MIMEType.TEXT_PLAIN, line::text);
        context.renderIfRequested(MIMEType.TEXT_HTML, () -> String.format(Locale.ROOT,
                "<div><span>%s</span> <progress value=\"%d\" max=\"%d\" style=\"width:40%%\"></progress> "
                        + "<span>%d%% %s</span></div>", CourseRenderers.escape(label), line.count(), line.total(),
                line.percent(), CourseRenderers.escape(line.stats())));
    }

    @Override
    public String toString() {
        return label + " " + current() + "/" + meter.total();
    }
}
