package gptcourse.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.spencerpark.jupyter.kernel.display.DisplayData;
import io.github.spencerpark.jupyter.kernel.display.Renderer;
import io.github.spencerpark.jupyter.kernel.display.mime.MIMEType;
import org.junit.jupiter.api.Test;

/** The students' bar: the shared progress line as text and an HTML {@code <progress>}. */
class ProgressBarTest {

    @Test
    void outsideAKernelItOnlyCounts() {
        ProgressBar bar = ProgressBar.show("demo", 5);
        for (int i = 0; i < 7; i++) {
            bar.step();
        }
        assertEquals(5, bar.current(), "clamped to the total");
        bar.set(-3);
        assertEquals(0, bar.current());
        bar.postfix("loss 2.31");
        bar.done();
        assertEquals(5, bar.current());
        assertEquals("demo 5/5", bar.toString());
    }

    @Test
    void rendersTheSharedLineAndAnHtmlProgressElement() {
        long[] now = {Long.MAX_VALUE - 1_000_000_000L}; // any origin, even one about to overflow
        ProgressBar bar = ProgressBar.counting("epoch <1>", 10, () -> now[0]);
        now[0] += 2_000_000_000L;
        bar.set(4);
        bar.postfix("loss 2.31");
        DisplayData data = new Renderer().render(bar);
        assertEquals("epoch <1>  40%|██████████               | 4/10 [00:02<00:03, 2.00 it/s, loss 2.31]",
                data.getData(MIMEType.TEXT_PLAIN));
        String html = (String) data.getData(MIMEType.TEXT_HTML);
        assertTrue(html.contains("<span>epoch &lt;1&gt;</span> <progress value=\"4\" max=\"10\""), html);
        assertTrue(html.contains("40% 4/10 [00:02&lt;00:03, 2.00 it/s, loss 2.31]"), html);
    }

    @Test
    void aTotalBelowOneIsRefusedWithTheValue() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ProgressBar.show("x", 0));
        assertTrue(e.getMessage().contains("got 0"), e.getMessage());
    }
}
