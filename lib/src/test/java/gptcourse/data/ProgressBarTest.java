package gptcourse.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ProgressBarTest {

    @Test
    void drawsPercentBarSizesAndSpeed() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ProgressBar bar = new ProgressBar(new PrintStream(bytes, true, StandardCharsets.UTF_8), "TinyStories-valid.txt", 0);
        String line = bar.line(9_700_000, 19_400_000, System.nanoTime());
        assertTrue(line.startsWith("TinyStories-valid.txt  50% |############            | 9.70 MB/19.4 MB "), line);
        assertTrue(line.endsWith("/s"), line);
        bar.update(1, 10);
        bar.finish(10, 10);
        String out = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(out.contains("100% |########################| 10 B/10 B"), out);
        assertTrue(out.endsWith(System.lineSeparator()), "finish ends the line");
    }

    @Test
    void humanSizes() {
        assertEquals("999 B", ProgressBar.human(999));
        assertEquals("1.92 GB", ProgressBar.human(1_920_000_000L));
        assertEquals("19.4 MB", ProgressBar.human(19_400_000L));
        assertEquals("470 MB", ProgressBar.human(470_000_000L));
    }
}
