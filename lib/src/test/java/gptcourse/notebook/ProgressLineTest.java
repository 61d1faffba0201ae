package gptcourse.notebook;

import static org.junit.jupiter.api.Assertions.assertEquals;

import gptcourse.notebook.ProgressLine.Unit;
import org.junit.jupiter.api.Test;

/** The one progress line of the course, in tqdm's format, from given values (no clock). */
class ProgressLineTest {

    @Test
    void stepsShowPercentBarCountsTimesAndRate() {
        ProgressLine line = new ProgressLine("Epoch 1, loss: 5.123", 200, 500, 12, 200 / 12.0, "", Unit.STEPS);
        assertEquals("Epoch 1, loss: 5.123  40%|██████████               | 200/500 [00:12<00:18, 16.67 it/s]",
                line.text());
        assertEquals(40, line.percent());
    }

    @Test
    void withoutDescriptionTheLineStartsAtThePercentage() {
        assertEquals("100%|█████████████████████████| 10/10 [00:02<00:00, 5.00 it/s]",
                new ProgressLine("", 10, 10, 2, 5, "", Unit.STEPS).text());
    }

    @Test
    void bytesAreShownWithSiPrefixes() {
        ProgressLine line = new ProgressLine("TinyStories-train.txt", 806_400_000L, 1_920_000_000L, 25, 31.4e6, "",
                Unit.BYTES);
        assertEquals("TinyStories-train.txt  42%|██████████               | 806 MB/1.92 GB [00:25<00:35, 31.4 MB/s]",
                line.text());
    }

    @Test
    void anUnknownTotalHasNoBarNorTimeLeft() {
        assertEquals("TinyStories-train.txt 806 MB [00:25, 31.4 MB/s]",
                new ProgressLine("TinyStories-train.txt", 806_000_000L, -1, 25, 31.4e6, "", Unit.BYTES).text());
        assertEquals("7 it [00:01, 7.00 it/s]", new ProgressLine("", 7, 0, 1, 7, "", Unit.STEPS).text());
    }

    @Test
    void anUnknownRateIsAQuestionMark() {
        assertEquals("  0%|                         | 0/10 [00:00<?, ? it/s]",
                new ProgressLine(null, 0, 10, 0, Double.NaN, null, Unit.STEPS).text());
        assertEquals("0 B [00:00, ? B/s]", new ProgressLine("", 0, 0, 0, Double.NaN, "", Unit.BYTES).text());
    }

    @Test
    void slowStepsAreSecondsPerStepAndHugeRatesArePrefixed() {
        assertEquals("1/10 [00:02<00:18, 2.00 s/it]", new ProgressLine("", 1, 10, 2, 0.5, "", Unit.STEPS).stats());
        assertEquals("5/10 [00:00<00:00, 3.20 Tit/s]", new ProgressLine("", 5, 10, 0, 3.2e12, "", Unit.STEPS).stats());
        assertEquals("5/10 [00:00<?, ? it/s]",
                new ProgressLine("", 5, 10, 0, Double.POSITIVE_INFINITY, "", Unit.STEPS).stats());
    }

    @Test
    void aCountPastTheTotalIsShownAsTheTotal() {
        ProgressLine line = new ProgressLine("", 15, 10, 1, 15, "", Unit.STEPS);
        assertEquals(10, line.count());
        assertEquals(100, line.percent());
        assertEquals("10/10 [00:01<00:00, 15.00 it/s]", line.stats());
    }

    @Test
    void thePostfixClosesTheBrackets() {
        assertEquals("demo  50%|████████████             | 5/10 [00:01<00:01, 5.00 it/s, loss 2.31]",
                new ProgressLine("demo", 5, 10, 1, 5, "loss 2.31", Unit.STEPS).text());
    }

    @Test
    void clockIsMinutesSecondsThenHours() {
        assertEquals("00:00", ProgressLine.clock(0));
        assertEquals("01:00", ProgressLine.clock(59.6));
        assertEquals("1:02:03", ProgressLine.clock(3723));
        assertEquals("?", ProgressLine.clock(Double.NaN));
        assertEquals("?", ProgressLine.clock(-1));
    }

    @Test
    void bytesHaveThreeSignificantDigits() {
        assertEquals("999 B", ProgressLine.bytes(999));
        assertEquals("1.92 GB", ProgressLine.bytes(1_920_000_000L));
        assertEquals("19.4 MB", ProgressLine.bytes(19_400_000L));
        assertEquals("470 MB", ProgressLine.bytes(470_000_000L));
        assertEquals("9.22 EB", ProgressLine.bytes(Long.MAX_VALUE));
    }
}
