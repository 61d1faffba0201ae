package gptcourse.autograd;

import static gptcourse.autograd.GradCheck.check;
import static gptcourse.autograd.GradCheck.randn;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Lazy logits ({@link Tensor#lazyLinear}) behave exactly like {@code x.linear(W, b)}: same values when
 * read, same log-probabilities and gradients from the blocked loss (finite differences, for block
 * sizes that do and do not divide the rows), same argmax.
 */
class LazyLogitsTest {
    // [batch 2, seq 5, k 3] -> vocab 7; 2 * 4 = 8 rows with a next token
    private static final INDArray TOKENS = Nd4j.createFromArray(new long[][] {{1, 6, 0, 6, 3}, {2, 2, 5, 0, 4}});

    @Test
    void blockedLogProbsMatchFiniteDifferencesForAnyBlockSize() {
        for (long blockRows : new long[] {1, 3, 5, 8, 100}) {
            check("blocked logProbs, " + blockRows + " rows per block",
                    in -> BlockedLogProbs.logProbsOfNextTokens(Tensor.lazyLinear(in.get(0), in.get(1), in.get(2)),
                            TOKENS, blockRows),
                    randn(1, 2, 5, 3), randn(2, 3, 7), randn(3, 7));
        }
    }

    @Test
    void blockedLogProbsEqualTheMaterialisedPathAndTheirGradientsToo() {
        for (long blockRows : new long[] {1, 3, 8}) {
            Tensor[] lazyParams = params();
            Tensor[] eagerParams = params();
            Tensor lazy = BlockedLogProbs.logProbsOfNextTokens(
                    Tensor.lazyLinear(lazyParams[0], lazyParams[1], lazyParams[2]), TOKENS, blockRows);
            Tensor eager = Functional.logProbsOfNextTokens(eagerParams[0].linear(eagerParams[1], eagerParams[2]), TOKENS);
            assertClose(eager.data(), lazy.data(), "log-probabilities");
            lazy.mean().neg().backward();
            eager.mean().neg().backward();
            for (int i = 0; i < 3; i++) {
                assertClose(eagerParams[i].grad(), lazyParams[i].grad(), "gradient of input " + i + ", blocks of " + blockRows);
            }
        }
    }

    @Test
    void anUnderflowedTargetProbabilityStillGivesTheExactLogProbability() {
        Tensor x = Tensor.of(Nd4j.createFromArray(new float[][][] {{{100f}, {0f}}}));
        Tensor w = Tensor.of(Nd4j.createFromArray(new float[][] {{1f, 0f, -1f}}));
        Tensor b = Tensor.of(Nd4j.zeros(DataType.FLOAT, 3));
        INDArray tokens = Nd4j.createFromArray(new long[][] {{0, 2}});
        // logits of position 0: [100, 0, -100]; log p(2) = -200 - log(1 + e^-100 + e^-200) = -200
        double lp = BlockedLogProbs.logProbsOfNextTokens(Tensor.lazyLinear(x, w, b), tokens, 1).item();
        assertEquals(-200.0, lp, 1e-3);
    }

    @Test
    void readingTheValuesGivesWhatLinearGives() {
        Tensor[] p = params();
        Tensor lazy = Tensor.lazyLinear(p[0], p[1], p[2]);
        assertTrue(lazy.isLazy());
        assertArrayEquals(new long[] {2, 5, 7}, lazy.shape());
        assertEquals(7, lazy.size(-1));
        assertEquals(70, lazy.length());
        assertFalse(lazy.isLeaf(), "made with a graph");
        assertTrue(lazy.isLazy(), "shape() must not compute the values");
        assertClose(p[0].linear(p[1], p[2]).data(), lazy.data(), "values");
        assertFalse(lazy.isLazy());
        // and gradients flow through the materialised values like through linear
        lazy.sum().backward();
        Tensor[] q = params();
        q[0].linear(q[1], q[2]).sum().backward();
        for (int i = 0; i < 3; i++) {
            assertClose(q[i].grad(), p[i].grad(), "gradient " + i);
        }
    }

    @Test
    void argmaxAndSlicesWorkBlockByBlock() {
        Tensor[] p = params();
        INDArray values = p[0].linear(p[1], p[2]).data();
        Tensor lazy = Tensor.lazyLinear(p[0], p[1], p[2]);
        assertEquals(values.argMax(2), lazy.argmax(-1));
        Tensor sliced = lazy.slice(1, 0, 4);
        assertTrue(sliced.isLazy());
        assertEquals(values.get(NDArrayIndex.all(), NDArrayIndex.interval(0, 4), NDArrayIndex.all()).argMax(2),
                sliced.argmax(2));
        Tensor last = lazy.slice(1, 4, 5);
        assertClose(values.get(NDArrayIndex.all(), NDArrayIndex.interval(4, 5), NDArrayIndex.all()), last.data(), "last position");
        assertTrue(lazy.isLazy(), "slicing and argmax must not compute the whole logits");
        // a slice along the vocabulary is an ordinary slice of the values
        assertClose(values.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(2, 3)),
                lazy.slice(2, 2, 3).data(), "vocabulary slice");
    }

    @Test
    void argmaxWithManyBlocksThatDoNotDivideTheRows() {
        Tensor[] p = params();
        INDArray values = p[0].linear(p[1], p[2]).data();
        String old = System.getProperty(RowBlocks.BLOCK_ROWS_PROPERTY);
        System.setProperty(RowBlocks.BLOCK_ROWS_PROPERTY, "3");
        try {
            assertEquals(values.argMax(2), Tensor.lazyLinear(p[0], p[1], p[2]).argmax(2));
        } finally {
            if (old == null) {
                System.clearProperty(RowBlocks.BLOCK_ROWS_PROPERTY);
            } else {
                System.setProperty(RowBlocks.BLOCK_ROWS_PROPERTY, old);
            }
        }
    }

    @Test
    void noGraphUnderNoGradAndClosedLogitsSayWhy() {
        Tensor[] p = params();
        Tensor lazy;
        try (var scope = GradMode.noGrad()) {
            lazy = Tensor.lazyLinear(p[0], p[1], p[2]);
            assertFalse(lazy.requiresGrad());
            assertFalse(Functional.logProbsOfNextTokens(lazy, TOKENS).requiresGrad());
        }
        // made without a graph, so reading it later with grad on records none either
        assertFalse(lazy.slice(1, 0, 2).requiresGrad());
        Tensor slice = lazy.slice(1, 0, 2);
        lazy.close();
        IllegalStateException e = assertThrows(IllegalStateException.class, slice::data);
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
        assertThrows(IllegalStateException.class, lazy::data);
        assertNull(p[0].grad());
    }

    @Test
    void badShapesAndTokensAreRefused() {
        Tensor[] p = params();
        Tensor lazy = Tensor.lazyLinear(p[0], p[1], p[2]);
        assertThrows(IllegalArgumentException.class, () -> Tensor.lazyLinear(p[0], p[1].transpose(0, 1), p[2]));
        assertThrows(IllegalArgumentException.class,
                () -> Functional.logProbsOfNextTokens(lazy, Nd4j.createFromArray(new long[][] {{1, 2}})));
        assertThrows(IndexOutOfBoundsException.class,
                () -> Functional.logProbsOfNextTokens(lazy, Nd4j.createFromArray(new long[][] {{1, 2, 3, 4, 7}, {0, 0, 0, 0, 0}})));
        assertThrows(IndexOutOfBoundsException.class,
                () -> Functional.logProbsOfNextTokens(lazy, Nd4j.createFromArray(new long[][] {{1, 2, 3, 4, 5}, {0, -1, 0, 0, 0}})));
        assertThrows(IllegalArgumentException.class, () -> RowBlocks.of(p[0].data(), p[1].data(), p[2].data(), 0));
        // an empty batch has no row to predict: one clear error, not gradients from unwritten memory
        Tensor empty = Tensor.lazyLinear(Tensor.parameter(Nd4j.create(DataType.DOUBLE, 0, 5, 3)), p[1], p[2]);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Functional.logProbsOfNextTokens(empty, Nd4j.create(DataType.INT64, 0, 5)));
        assertTrue(e.getMessage().contains("batch"), e.getMessage());
    }

    private static Tensor[] params() {
        return new Tensor[] {Tensor.parameter(randn(1, 2, 5, 3)), Tensor.parameter(randn(2, 3, 7)),
                Tensor.parameter(randn(3, 7))};
    }

    @Test
    void anUnderflowedTargetProbabilityWithAGraphGivesTheEagerValueAndGradients() {
        // the block's softmax is computed in place: the exact log-probability needs the logits again
        Tensor[] lazyParams = underflowParams();
        Tensor[] eagerParams = underflowParams();
        INDArray tokens = Nd4j.createFromArray(new long[][] {{0, 2, 1}});
        Tensor lazy = BlockedLogProbs.logProbsOfNextTokens(
                Tensor.lazyLinear(lazyParams[0], lazyParams[1], lazyParams[2]), tokens, 1);
        Tensor eager = Functional.logProbsOfNextTokens(eagerParams[0].linear(eagerParams[1], eagerParams[2]), tokens);
        assertEquals(-200.0, lazy.data().getDouble(0), 1e-3);
        assertClose(eager.data(), lazy.data(), "log-probabilities");
        lazy.mean().neg().backward();
        eager.mean().neg().backward();
        for (int i = 0; i < 3; i++) {
            assertClose(eagerParams[i].grad(), lazyParams[i].grad(), "gradient of input " + i);
        }
    }

    private static Tensor[] underflowParams() {
        return new Tensor[] {
            Tensor.parameter(Nd4j.createFromArray(new float[][][] {{{100f}, {0f}, {1f}}}).castTo(DataType.DOUBLE)),
            Tensor.parameter(Nd4j.createFromArray(new float[][] {{1f, 0f, -1f}}).castTo(DataType.DOUBLE)),
            Tensor.parameter(Nd4j.zeros(DataType.DOUBLE, 3))};
    }

    @Test
    void everyBlockUsesOneBufferSoNoRowCountLeavesABufferOfItsOwnSize() {
        // 5 rows a block of 100,000 logits is 2 MB, kept for reuse; 12 rows end with a block of 2,
        // 14 rows with a block of 4, 13 rows with 3: each last block used to be an array of its own size
        long vocab = 100_000;
        Tensor w = Tensor.of(Nd4j.rand(DataType.FLOAT, 3, vocab));
        Tensor b = Tensor.of(Nd4j.rand(DataType.FLOAT, vocab));
        for (int seq : new int[] {7, 8, 7, 8}) {
            INDArray tokens = Nd4j.rand(DataType.FLOAT, 2, seq).muli(vocab).castTo(DataType.INT64);
            Tensor x = Tensor.parameter(Nd4j.rand(DataType.FLOAT, 2, seq, 3));
            long before = Buffers.freshAllocations();
            BlockedLogProbs.logProbsOfNextTokens(Tensor.lazyLinear(x, w, b), tokens, 5).mean().neg().backward();
            try (var scope = GradMode.inferenceMode()) {
                Tensor.lazyLinear(x, w, b).argmax(-1);
            }
            long fresh = Buffers.freshAllocations() - before;
            assertTrue(seq == 7 || fresh == 0, "logits of " + 2 * (seq - 1) + " rows allocated " + fresh
                    + " large arrays instead of reusing the block buffer of the last call");
        }
    }

    private static void assertClose(INDArray expected, INDArray actual, String what) {
        assertArrayEquals(expected.shape(), actual.shape(), what + ": shape");
        double diff = expected.castTo(DataType.DOUBLE).sub(actual.castTo(DataType.DOUBLE)).amaxNumber().doubleValue();
        assertTrue(diff < 1e-9, what + ": differs by " + diff);
    }
}
