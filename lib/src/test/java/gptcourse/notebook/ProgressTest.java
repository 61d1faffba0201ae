package gptcourse.notebook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

/** The trainer's bar outside a notebook: the shared progress line, printed now and then. */
class ProgressTest {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);

    private String printed() {
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void outsideANotebookPrintsTqdmLikeLinesAndTheFinalState() {
        assertFalse(Notebook.active());
        try (Progress bar = Progress.start(10, out, 3600)) {
            for (int i = 0; i < 4; i++) {
                bar.update();
            }
            bar.setDescription("Epoch 1, loss: 5.123");
            assertTrue(bar.line().startsWith("Epoch 1, loss: 5.123  40%|██████████               | 4/10 ["), bar.line());
            bar.update(100);
            assertEquals(10, bar.count(), "clamped to the total");
        }
        String printed = printed();
        assertEquals(2, printed.lines().count(), "the first line and the final one, none in between: " + printed);
        assertTrue(printed.lines().reduce((a, b) -> b).orElseThrow().contains("100%|█████████████████████████| 10/10"),
                printed);
        assertThrows(IllegalArgumentException.class, () -> Progress.start(0));
    }

    @Test
    void printsAtMostOnceEveryPrintInterval() {
        long[] now = {-3_000_000_000L}; // any origin
        try (Progress bar = Progress.start(100, out, 10, () -> now[0])) {
            for (int second = 1; second <= 30; second++) {
                now[0] += 1_000_000_000L;
                bar.update();
            }
        }
        assertEquals(4, printed().lines().count(), "at 1 s, 11 s, 21 s, and when closed: " + printed());
        assertTrue(printed().lines().reduce((a, b) -> b).orElseThrow().endsWith("| 30/100 [00:30<01:10, 1.00 it/s]"),
                printed());
    }

    @Test
    void aBarNeverClosedStillPrintsItsLastStep() {
        long[] now = {0};
        Progress bar = Progress.start(3, out, 10, () -> now[0]);
        for (int i = 0; i < 3; i++) {
            bar.update();
        }
        assertEquals(2, printed().lines().count(), printed());
        assertTrue(printed().contains("3/3"), printed());
    }
}
