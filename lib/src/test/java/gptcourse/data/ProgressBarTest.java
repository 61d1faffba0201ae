package gptcourse.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

/** The download bar: the shared progress line, redrawn on one terminal line with {@code \r}. */
class ProgressBarTest {
    private static final long SECOND = 1_000_000_000L;

    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    private long now = -42 * SECOND; // any origin

    private String printed() {
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void redrawsOneLineWithPercentBarSizesAndSpeed() {
        ProgressBar bar = new ProgressBar(out, "TinyStories-valid.txt", 19_400_000, 0, () -> now);
        now += SECOND;
        bar.update(9_700_000);
        assertEquals("\rTinyStories-valid.txt  50%|████████████             | 9.70 MB/19.4 MB [00:01<00:01, 9.70 MB/s]",
                printed());
        now += SECOND;
        bar.update(19_400_000);
        bar.finish(19_400_000);
        String out = printed();
        assertTrue(out.contains("\rTinyStories-valid.txt 100%|█████████████████████████| 19.4 MB/19.4 MB [00:02<00:00, "),
                out);
        assertTrue(out.endsWith(System.lineSeparator()), "finish ends the line");
        assertEquals(1, out.split(System.lineSeparator(), -1).length - 1, "one line, redrawn: " + out);
    }

    @Test
    void aResumedDownloadCountsOnlyTheNewBytesInTheSpeed() {
        ProgressBar bar = new ProgressBar(out, "f", 10_000_000, 6_000_000, () -> now);
        now += 2 * SECOND;
        bar.finish(8_000_000);
        assertTrue(printed().contains("| 8.00 MB/10.0 MB [00:02<00:02, 1.00 MB/s]"), printed());
    }

    @Test
    void anUnknownSizeShowsTheBytesAndSpeed() {
        ProgressBar bar = new ProgressBar(out, "f", -1, 0, () -> now);
        now += SECOND;
        bar.finish(2_500);
        assertEquals("\rf 2.50 kB [00:01, 2.50 kB/s]" + System.lineSeparator(), printed());
    }

    @Test
    void aShorterLineBlanksTheRestOfTheLongerOne() {
        ProgressBar bar = new ProgressBar(out, "f", -1, 0, () -> now);
        now += SECOND;
        bar.update(1_500);
        now += SECOND;
        bar.update(1_600);
        String[] draws = printed().split("\r");
        assertEquals("f 1.50 kB [00:01, 1.50 kB/s]", draws[1]);
        assertEquals("f 1.60 kB [00:02, 800 B/s]  ", draws[2]);
    }
}
