package gptcourse.notebook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The progress bars' shared logic on a clock the test moves. Every test runs with clocks of
 * several origins (nanoTime's origin is arbitrary, and may be near overflow).
 */
class ProgressMeterTest {
    private static final long MS = 1_000_000L;
    private static final long INTERVAL = ProgressMeter.REDRAW_NANOS;

    private long now;
    private final AtomicInteger draws = new AtomicInteger();

    private boolean redraw(ProgressMeter meter, boolean closing) {
        return meter.redraw(closing, draws::incrementAndGet);
    }

    @ParameterizedTest
    @ValueSource(longs = {0, -7_000_000_000_000_000_000L, Long.MAX_VALUE - 50 * MS})
    void theFirstChangeIsDrawnAtOnceThenAtMostOncePerInterval(long origin) {
        now = origin;
        ProgressMeter meter = ProgressMeter.steps(100, INTERVAL, () -> now);
        meter.advance(1);
        assertTrue(redraw(meter, false), "the first change is drawn");
        now += 40 * MS;
        meter.advance(1);
        assertFalse(redraw(meter, false), "40 ms later: throttled");
        now += 60 * MS;
        assertTrue(redraw(meter, false), "100 ms after the last drawing");
        now += 500 * MS;
        assertFalse(redraw(meter, false), "nothing changed: nothing to draw");
    }

    @ParameterizedTest
    @ValueSource(longs = {0, Long.MIN_VALUE + 1, Long.MAX_VALUE})
    void aTightLoopSendsAFewUpdatesASecondAndTheLastState(long origin) {
        now = origin;
        ProgressMeter meter = ProgressMeter.steps(1_000_000, INTERVAL, () -> now);
        for (int i = 0; i < 1_000_000; i++) {
            now += 1_000; // a step per microsecond: one second in all
            meter.advance(1);
            redraw(meter, false);
        }
        assertTrue(draws.get() >= 10 && draws.get() <= 12, draws + " drawings");
        assertFalse(redraw(meter, true), "reaching the total was drawn: closing adds nothing");
    }

    @ParameterizedTest
    @ValueSource(longs = {0, Long.MAX_VALUE - 10 * MS})
    void reachingTheTotalIsDrawnOnceEvenWithinTheInterval(long origin) {
        now = origin;
        ProgressMeter meter = ProgressMeter.steps(3, INTERVAL, () -> now);
        meter.advance(1);
        redraw(meter, false);
        now += MS;
        meter.advance(5);
        assertEquals(3, meter.count(), "clamped to the total");
        assertTrue(redraw(meter, false), "the total is reached: drawn at once");
        now += MS;
        meter.describe("done");
        assertFalse(redraw(meter, false), "afterwards throttled again");
        assertTrue(redraw(meter, true), "closing draws the change");
        assertFalse(redraw(meter, true), "and only once");
    }

    @ParameterizedTest
    @ValueSource(longs = {0, -1})
    void aBarClosedBeforeAnyChangeIsStillDrawnOnce(long origin) {
        now = origin;
        ProgressMeter meter = ProgressMeter.steps(10, INTERVAL, () -> now);
        assertTrue(redraw(meter, true));
        assertFalse(redraw(meter, true));
    }

    @ParameterizedTest
    @ValueSource(longs = {0, Long.MAX_VALUE - 1})
    void countsAreClampedAndNeverOverflow(long origin) {
        now = origin;
        ProgressMeter steps = ProgressMeter.steps(10, INTERVAL, () -> now);
        steps.advance(-5);
        assertEquals(0, steps.count());
        steps.advance(Long.MAX_VALUE);
        steps.advance(Long.MAX_VALUE);
        assertEquals(10, steps.count());
        ProgressMeter unknown = ProgressMeter.bytes(-1, 0, INTERVAL, () -> now);
        unknown.advance(Long.MAX_VALUE);
        unknown.advance(1);
        assertEquals(Long.MAX_VALUE, unknown.count(), "saturates");
    }

    @ParameterizedTest
    @ValueSource(longs = {0, Long.MAX_VALUE - 1_000 * MS})
    void theRateLeavesOutTheResumedBytesAndIsUnknownAtFirst(long origin) {
        now = origin;
        ProgressMeter meter = ProgressMeter.bytes(100_000, 40_000, INTERVAL, () -> now);
        meter.describe("file.bin");
        assertTrue(Double.isNaN(meter.line().rate()));
        assertEquals("file.bin  40%|██████████               | 40.0 kB/100 kB [00:00<?, ? B/s]", meter.line().text());
        now += 3_000 * MS;
        meter.set(70_000);
        assertEquals(10_000, meter.line().rate(), 1e-9);
        assertEquals("file.bin  70%|█████████████████        | 70.0 kB/100 kB [00:03<00:03, 10.0 kB/s]",
                meter.line().text());
    }

    @ParameterizedTest
    @ValueSource(longs = {0, 123_456_789})
    void aDrawingThatFailsStopsTheDrawingNotTheCounting(long origin) {
        now = origin;
        ProgressMeter meter = ProgressMeter.steps(10, INTERVAL, () -> now);
        assertFalse(meter.redraw(false, () -> {
            draws.incrementAndGet();
            throw new IllegalStateException("the kernel is gone");
        }));
        now += 1_000 * MS;
        meter.advance(10);
        assertFalse(redraw(meter, true));
        assertEquals(1, draws.get(), "not tried again");
        assertEquals(10, meter.count());
    }

    @ParameterizedTest
    @ValueSource(longs = {0, -1})
    void aStepsBarNeedsATotal(long total) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ProgressMeter.steps(total, INTERVAL, () -> now));
        assertTrue(e.getMessage().contains("got " + total), e.getMessage());
    }
}
