package gptcourse.data;

import java.io.PrintStream;
import java.util.Locale;

/**
 * A one-line text progress bar for downloads, like tqdm's:
 * {@code TinyStories-train.txt  42% |########            | 806 MB/1.92 GB 31.4 MB/s}. Redraws at
 * most five times a second.
 */
final class ProgressBar {

    private static final int WIDTH = 24;
    private static final long REDRAW_NANOS = 200_000_000L;

    private final PrintStream out;
    private final String label;
    private final long startNanos = System.nanoTime();
    private final long startBytes;
    private long lastDraw;

    /** @param startBytes bytes already present (resumed), not counted in the speed */
    ProgressBar(PrintStream out, String label, long startBytes) {
        this.out = out;
        this.label = label;
        this.startBytes = startBytes;
    }

    /** @param total total bytes, or -1 if unknown */
    void update(long done, long total) {
        long now = System.nanoTime();
        if (now - lastDraw < REDRAW_NANOS) {
            return;
        }
        lastDraw = now;
        out.print("\r" + line(done, total, now));
        out.flush();
    }

    void finish(long done, long total) {
        out.println("\r" + line(done, total, System.nanoTime()));
    }

    String line(long done, long total, long now) {
        double seconds = Math.max(1e-9, (now - startNanos) / 1e9);
        String speed = human((long) ((done - startBytes) / seconds)) + "/s";
        if (total <= 0) {
            return String.format(Locale.ROOT, "%s %s %s", label, human(done), speed);
        }
        int filled = (int) (WIDTH * Math.min(1.0, (double) done / total));
        return String.format(Locale.ROOT, "%s %3d%% |%s%s| %s/%s %s", label, (int) (100.0 * done / total),
                "#".repeat(filled), " ".repeat(WIDTH - filled), human(done), human(total), speed);
    }

    static String human(long bytes) {
        if (bytes < 1_000) {
            return bytes + " B";
        }
        String[] units = {"kB", "MB", "GB", "TB"};
        double value = bytes;
        int unit = -1;
        while (value >= 1000 && unit < units.length - 1) {
            value /= 1000;
            unit++;
        }
        return String.format(Locale.ROOT, value < 10 ? "%.2f %s" : value < 100 ? "%.1f %s" : "%.0f %s", value, units[unit]);
    }
}
