package gptcourse.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Notebook 03 reads {@code trainer.tracker.values("train_loss").get(0)} in the cell after training: when
 * training failed before its first step, that read names the problem in one line instead of a bare
 * "Index 0 out of bounds for length 0".
 */
class MetricValuesTest {

    @Test
    void readingAMetricThatWasNeverLoggedSaysWhy(@TempDir Path runs) {
        RunTracker tracker = new RunTracker(runs);
        List<Double> losses = tracker.values("train_loss");
        assertEquals(0, losses.size());
        IndexOutOfBoundsException nothing = assertThrows(IndexOutOfBoundsException.class, () -> losses.get(0));
        assertTrue(nothing.getMessage().contains("\"train_loss\"") && nothing.getMessage().contains("training cell"),
                nothing.getMessage());
        assertEquals(1, nothing.getMessage().lines().count(), "one line");

        tracker.log(Map.of("accuracy", 0.5), 1);
        IndexOutOfBoundsException other = assertThrows(IndexOutOfBoundsException.class,
                () -> tracker.values("train_loss").get(0));
        assertTrue(other.getMessage().contains("[accuracy]"), other.getMessage());

        tracker.log(Map.of("train_loss", 2.0), 2);
        tracker.log(Map.of("train_loss", 1.5), 3);
        List<Double> two = tracker.values("train_loss");
        assertEquals(List.of(2.0, 1.5), two);
        assertEquals(1.5, two.get(two.size() - 1));
        IndexOutOfBoundsException past = assertThrows(IndexOutOfBoundsException.class, () -> two.get(2));
        assertTrue(past.getMessage().contains("0 to 1"), past.getMessage());
        assertThrows(UnsupportedOperationException.class, () -> two.add(3.0));
    }
}
