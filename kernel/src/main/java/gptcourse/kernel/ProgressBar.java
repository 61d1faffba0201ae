package gptcourse.kernel;

import java.util.Locale;
import java.util.Set;

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
 * Updates are sent at most every {@code 100 ms} (plus the last one), so a tight loop doesn't flood
 * the notebook. Outside a kernel it does nothing but count.
 */
public final class ProgressBar implements DisplayDataRenderable {
    private static final long MIN_UPDATE_NANOS = 100_000_000L;
    private static final int WIDTH = 30;

    private final String label;
    private final long total;
    private final long startNanos = System.nanoTime();
    private long current;
    private String postfix = "";
    private String displayId;
    private long lastUpdateNanos;
    private boolean drawn;

    private ProgressBar(String label, long total) {
        if (total <= 0) {
            throw new IllegalArgumentException("A progress bar needs a total above 0, got " + total + ".");
        }
        this.label = label;
        this.total = total;
    }

    /**
     * Creates a bar and shows it in the current cell's output.
     *
     * @param label what is progressing, e.g. "epoch 1"
     * @param total the number of steps
     * @return the bar
     */
    public static ProgressBar show(String label, long total) {
        ProgressBar bar = new ProgressBar(label, total);
        try {
            bar.displayId = Display.display(bar);
        } catch (IllegalStateException notInKernel) {
            bar.displayId = null;
        }
        return bar;
    }

    /** Advances by one step. */
    public void step() {
        set(current + 1);
    }

    /**
     * @param value the number of steps done (clamped to [0, total])
     */
    public synchronized void set(long value) {
        current = Math.max(0, Math.min(total, value));
        refresh(current == total);
    }

    /**
     * @param text shown after the counts, e.g. {@code "loss 2.31"}
     */
    public synchronized void postfix(String text) {
        postfix = text == null ? "" : text;
        refresh(false);
    }

    /** Marks the bar complete and shows its final state. */
    public synchronized void done() {
        current = total;
        refresh(true);
    }

    /** @return steps done */
    public synchronized long current() {
        return current;
    }

    private void refresh(boolean force) {
        long now = System.nanoTime();
        // the first update is always drawn: nanoTime()'s origin is arbitrary, so never compare it with 0
        if (displayId == null || (drawn && !force && now - lastUpdateNanos < MIN_UPDATE_NANOS)) return;
        drawn = true;
        lastUpdateNanos = now;
        Display.updateDisplay(displayId, this);
    }

    @Override
    public Set<MIMEType> getSupportedRenderTypes() {
        return Set.of(MIMEType.TEXT_PLAIN, MIMEType.TEXT_HTML);
    }

    @Override
    public synchronized void render(RenderContext context) {
        double fraction = (double) current / total;
        double seconds = (System.nanoTime() - startNanos) / 1e9;
        String stats = String.format(Locale.ROOT, "%d/%d [%.1fs]%s", current, total, seconds,
                postfix.isEmpty() ? "" : " " + postfix);
        context.renderIfRequested(MIMEType.TEXT_PLAIN, () -> {
            int filled = (int) Math.round(fraction * WIDTH);
            return String.format(Locale.ROOT, "%s %3d%% |%s%s| %s", label, Math.round(fraction * 100),
                    "█".repeat(filled), " ".repeat(WIDTH - filled), stats);
        });
        context.renderIfRequested(MIMEType.TEXT_HTML, () -> String.format(Locale.ROOT,
                "<div><span>%s</span> <progress value=\"%d\" max=\"%d\" style=\"width:40%%\"></progress> "
                        + "<span>%d%% %s</span></div>", CourseRenderers.escape(label), current, total,
                Math.round(fraction * 100), CourseRenderers.escape(stats)));
    }

    @Override
    public String toString() {
        return label + " " + current + "/" + total;
    }
}
