package gptcourse.notebook;

import java.util.Locale;

/**
 * A progress bar's state at one moment and its text, in tqdm's format. Every bar of the course
 * writes this line ({@link ProgressMeter} makes it; where it goes is the bar's own business):
 * <pre>
 * Epoch 1, loss: 5.123  40%|██████████               | 200/500 [00:12&lt;00:18, 16.20 it/s]
 * TinyStories-train.txt  42%|██████████               | 806 MB/1.92 GB [00:25&lt;00:35, 31.4 MB/s]
 * TinyStories-train.txt 806 MB [00:25, 31.4 MB/s]                         (total unknown)
 * </pre>
 * Pure: the values come in, the text comes out; nothing here reads a clock.
 *
 * @param description the text before the bar, or ""
 * @param count       steps (or bytes) done, between 0 and {@code total} when the total is known
 * @param total       the number of steps (or bytes), or 0 or less if unknown
 * @param seconds     time since the bar started
 * @param rate        steps (or bytes) a second, or NaN while unknown
 * @param postfix     the text after the rate inside the brackets, e.g. "loss 2.31", or ""
 * @param unit        what is counted
 */
public record ProgressLine(String description, long count, long total, double seconds, double rate, String postfix,
        Unit unit) {

    /** Characters of the bar between the two {@code |}. */
    public static final int WIDTH = 25;

    private static final String[] PREFIXES = {"", "k", "M", "G", "T", "P", "E", "Z", "Y"};

    /** What a bar counts: steps (shown as numbers, "it/s") or bytes (shown as "806 MB", "31.4 MB/s"). */
    public enum Unit {
        STEPS, BYTES
    }

    /** Reads null texts as "" and clamps the count to [0, total] (to 0 and up if the total is unknown). */
    public ProgressLine {
        description = description == null ? "" : description;
        postfix = postfix == null ? "" : postfix;
        count = clamp(count, total);
    }

    /** @return {@code count} within [0, total], or at least 0 if the total is unknown (0 or less) */
    static long clamp(long count, long total) {
        return Math.max(0, total > 0 ? Math.min(total, count) : count);
    }

    /** @return true when the total is known (the line has a percentage, a bar and a time left) */
    public boolean hasTotal() {
        return total > 0;
    }

    /** @return the whole percent done (0 to 100), or 0 when the total is unknown */
    public int percent() {
        return hasTotal() ? (int) (100.0 * count / total) : 0;
    }

    /** @return the whole line, as in the class comment */
    public String text() {
        String prefix = description.isEmpty() ? "" : description + " ";
        if (!hasTotal()) {
            return prefix + stats();
        }
        int filled = (int) ((double) WIDTH * count / total);
        return String.format(Locale.ROOT, "%s%3d%%|%s%s| %s", prefix, percent(), "█".repeat(filled),
                " ".repeat(WIDTH - filled), stats());
    }

    /** @return the part after the bar: {@code 200/500 [00:12<00:18, 16.20 it/s, postfix]} */
    public String stats() {
        String times = hasTotal() ? clock(seconds) + "<" + clock(remainingSeconds()) : clock(seconds);
        String counts = hasTotal() ? amount(count) + "/" + amount(total) : amount(count)
                + (unit == Unit.STEPS ? " it" : "");
        return counts + " [" + times + ", " + rateText() + (postfix.isEmpty() ? "" : ", " + postfix) + "]";
    }

    /** @return {@code seconds} as tqdm writes times: {@code 00:12}, {@code 1:02:03}, or "?" if not finite */
    public static String clock(double seconds) {
        if (!Double.isFinite(seconds) || seconds < 0) {
            return "?";
        }
        long s = Math.round(seconds);
        return s >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
                : String.format(Locale.ROOT, "%02d:%02d", s / 60, s % 60);
    }

    /** @return a size in bytes with three significant digits: {@code 999 B}, {@code 19.4 MB}, {@code 1.92 GB} */
    public static String bytes(double bytes) {
        return scaled(bytes, "B");
    }

    private double remainingSeconds() {
        return knownRate() ? (total - count) / rate : Double.NaN;
    }

    private boolean knownRate() {
        return rate > 0 && Double.isFinite(rate);
    }

    private String amount(long value) {
        return unit == Unit.BYTES ? bytes(value) : Long.toString(value);
    }

    private String rateText() {
        if (!knownRate()) {
            return unit == Unit.BYTES ? "? B/s" : "? it/s";
        }
        if (unit == Unit.BYTES) {
            return scaled(rate, "B/s");
        }
        if (rate < 1) {
            return String.format(Locale.ROOT, "%.2f s/it", 1 / rate);
        }
        return rate < 1000 ? String.format(Locale.ROOT, "%.2f it/s", rate) : scaled(rate, "it/s");
    }

    /** {@code value} with an SI prefix and three significant digits, e.g. {@code 31.4 MB/s}. */
    private static String scaled(double value, String unit) {
        if (value < 999.5) {
            return String.format(Locale.ROOT, "%.0f %s", value, unit);
        }
        int prefix = 0;
        while (value >= 999.5 && prefix < PREFIXES.length - 1) { // 999.7 kB is written 1.00 MB
            value /= 1000;
            prefix++;
        }
        String number = value < 9.995 ? "%.2f" : value < 99.95 ? "%.1f" : "%.0f";
        return String.format(Locale.ROOT, number + " %s%s", value, PREFIXES[prefix], unit);
    }
}
