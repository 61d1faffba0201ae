package gptcourse.notebook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

class ProgressTest {

    @Test
    void outsideANotebookPrintsTqdmLikeLinesAndTheFinalState() {
        assertFalse(Notebook.active());
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        try (Progress bar = Progress.start(10, out, 3600)) {
            for (int i = 0; i < 4; i++) {
                bar.update();
            }
            bar.setDescription("Epoch 1, loss: 5.123");
            assertTrue(bar.line().startsWith("Epoch 1, loss: 5.123  40%|██████████               | 4/10 ["), bar.line());
            bar.update(100);
            assertEquals(10, bar.count(), "clamped to the total");
        }
        String printed = bytes.toString(StandardCharsets.UTF_8);
        assertEquals(2, printed.lines().count(), "the first line and the closing line, none in between: " + printed);
        assertTrue(printed.lines().reduce((a, b) -> b).orElseThrow().contains("100%|█████████████████████████| 10/10"),
                printed);
        assertThrows(IllegalArgumentException.class, () -> Progress.start(0));
    }
}
