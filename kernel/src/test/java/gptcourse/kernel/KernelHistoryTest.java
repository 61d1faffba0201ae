package gptcourse.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;

import io.github.spencerpark.jupyter.kernel.history.HistoryEntry;
import io.github.spencerpark.jupyter.kernel.history.HistoryManager.ResultFlag;
import org.junit.jupiter.api.Test;

class KernelHistoryTest {
    private static final Set<ResultFlag> NONE = EnumSet.noneOf(ResultFlag.class);

    private static KernelHistory sample() {
        KernelHistory h = new KernelHistory();
        h.add(1, "6 * 7", "42");
        h.add(2, "int x = 1;", "");
        h.add(3, "6 * 7", "42");
        h.add(4, "x + 1", "2");
        return h;
    }

    @Test
    void tailReturnsTheLastCellsInOrder() {
        List<HistoryEntry> tail = sample().lookupTail(2, NONE);
        assertEquals(List.of(3, 4), tail.stream().map(HistoryEntry::getCellNumber).toList());
    }

    @Test
    void rangeIsStartInclusiveStopExclusive() {
        List<HistoryEntry> range = sample().lookupRange(KernelHistory.SESSION, 2, 4, NONE);
        assertEquals(List.of(2, 3), range.stream().map(HistoryEntry::getCellNumber).toList());
        assertTrue(sample().lookupRange(99, 1, 4, NONE).isEmpty());
    }

    @Test
    void searchUsesSqliteGlobsAndCanBeUnique() {
        assertEquals(2, sample().search("6*", 10, NONE).size());
        assertEquals(1, sample().search("6*", 10, EnumSet.of(ResultFlag.UNIQUE)).size());
        assertEquals(1, sample().search("x + ?", 10, NONE).size());
        assertEquals(1, sample().search("[i]nt*", 10, NONE).size());
    }

    @Test
    void outputIsIncludedOnRequest() {
        HistoryEntry e = sample().lookupTail(1, EnumSet.of(ResultFlag.INCLUDE_OUTPUT)).get(0);
        assertEquals("2", e.getOutput());
    }
}
