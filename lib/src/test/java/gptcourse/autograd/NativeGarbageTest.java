package gptcourse.autograd;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.ref.WeakReference;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The garbage collector is asked for native memory when the process has grown, and now and then. */
class NativeGarbageTest {
    private static final long MB = 1L << 20;

    @Test
    void collectsWhenTheProcessHasGrownOrAfterAWhile() {
        long base = 500 * MB;
        assertFalse(NativeGarbage.shouldCollect(base + 10 * MB, base, 1_000_000L), "10 MB of growth, 1 ms");
        assertTrue(NativeGarbage.shouldCollect(base + 40 * MB, base, 1_000_000L), "40 MB of growth");
        assertFalse(NativeGarbage.shouldCollect(base - 100 * MB, base, 1_000_000L), "smaller than its smallest since the last one");
        assertFalse(NativeGarbage.shouldCollect(base, base, NativeGarbage.BLIND_INTERVAL_NANOS + 1),
                "no growth, a few seconds: the growth rule is enough");
        assertTrue(NativeGarbage.shouldCollect(base, base, NativeGarbage.MAX_INTERVAL_NANOS + 1), "no growth, long ago");
        assertFalse(NativeGarbage.shouldCollect(-1, -1, 1_000_000L), "resident size unknown, 1 ms");
        assertTrue(NativeGarbage.shouldCollect(-1, -1, NativeGarbage.BLIND_INTERVAL_NANOS + 1),
                "resident size unknown, a few seconds");
    }

    @Test
    void nativeMemoryThatNothingClosesIsFreedOnceTheProcessHasGrown() {
        assumeTrue(ProcessMemory.residentBytes() > 0, "needs /proc/self/status");
        NativeGarbage.collectOccasionally();
        long before = ProcessMemory.residentBytes();
        long collections = NativeGarbage.collections();
        WeakReference<INDArray> dropped = new WeakReference<>(null);
        // 160 MB of arrays that nothing closes, each written (resident), then dropped
        for (int i = 0; i < 40; i++) {
            INDArray a = Nd4j.createUninitialized(DataType.FLOAT, MB); // 4 MB
            a.assign(i);
            dropped = new WeakReference<>(a);
        }
        long grown = ProcessMemory.residentBytes() - before;
        assumeTrue(grown > 2 * NativeGarbage.GROWTH_BYTES, "the allocator reused free memory (grew by "
                + (grown / MB) + " MB)");
        NativeGarbage.collectOccasionally();
        assertTrue(NativeGarbage.collections() > collections, "no collection after growing by " + (grown / MB) + " MB");
        assertNull(dropped.get(), "the last dropped array is still reachable after the collection");
    }
}
