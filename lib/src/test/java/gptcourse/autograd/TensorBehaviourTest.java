package gptcourse.autograd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** PyTorch-like behaviour beyond single gradients: accumulation, frozen parameters, detach, errors. */
class TensorBehaviourTest {

    /**
     * The embedding gradient of a batch the size of the course's (4,096 tokens, many repeated)
     * equals the exact sum and is the same on every run: libnd4j's scatter_add loses updates of
     * repeated indices across threads unless its lock flag is set.
     */
    @Test
    void embeddingGradientSumsRepeatedTokensExactlyAtFullBatchSize() {
        int vocab = 50257;
        int d = 32;
        INDArray tokens = Nd4j.rand(1, new long[] {32, 128}).muli(300).castTo(DataType.INT64);
        INDArray upstream = Nd4j.randn(2, new long[] {32, 128, d});
        long[] ids = tokens.reshape(tokens.length()).toLongVector();
        float[][] g = upstream.reshape(tokens.length(), d).toFloatMatrix();
        double[][] exact = new double[300][d];
        for (int i = 0; i < ids.length; i++) {
            for (int j = 0; j < d; j++) {
                exact[(int) ids[i]][j] += g[i][j];
            }
        }
        for (int run = 0; run < 20; run++) {
            Tensor w = Tensor.parameter(Nd4j.zeros(DataType.FLOAT, vocab, d));
            w.gatherRows(tokens).mul(Tensor.of(upstream)).sum().backward();
            float[][] grad = w.grad().get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 300),
                    org.nd4j.linalg.indexing.NDArrayIndex.all()).toFloatMatrix();
            for (int r = 0; r < 300; r++) {
                for (int j = 0; j < d; j++) {
                    assertEquals(exact[r][j], grad[r][j], 1e-4, "run " + run + ": gradient of row " + r + ", column " + j);
                }
            }
        }
    }

    @Test
    void gradientsAccumulateOverBackwardCallsUntilZeroGrad() {
        Tensor w = Tensor.parameter(Nd4j.rand(DataType.DOUBLE, 3, 2));
        Tensor b = Tensor.parameter(Nd4j.rand(DataType.DOUBLE, 2));
        INDArray x = Nd4j.rand(DataType.DOUBLE, 4, 3);
        Tensor.of(x).linear(w, b).sum().backward();
        INDArray once = w.grad().dup();
        INDArray onceB = b.grad().dup();
        Tensor.of(x).linear(w, b).sum().backward();
        assertEquals(once.mul(2), w.grad());
        assertEquals(onceB.mul(2), b.grad());
        w.zeroGrad();
        assertNull(w.grad());
    }

    @Test
    void frozenParametersGetNoGradientButOthersStillDo() {
        Tensor w = Tensor.parameter(Nd4j.rand(DataType.DOUBLE, 3, 2)).requiresGrad(false);
        Tensor b = Tensor.parameter(Nd4j.rand(DataType.DOUBLE, 2));
        Tensor x = Tensor.parameter(Nd4j.rand(DataType.DOUBLE, 4, 3));
        x.linear(w, b).sum().backward();
        assertNull(w.grad());
        assertEquals(Nd4j.valueArrayOf(new long[] {2}, 4.0, DataType.DOUBLE), b.grad());
        assertEquals(Nd4j.ones(DataType.DOUBLE, 4, 2).mmul(w.data().transpose()), x.grad());
    }

    @Test
    void detachCutsTheGraph() {
        Tensor a = Tensor.parameter(Nd4j.rand(DataType.DOUBLE, 3));
        Tensor d = a.mul(2.0).detach();
        assertTrue(d.isLeaf() && !d.requiresGrad());
        Tensor out = a.mul(d).sum();
        out.backward();
        assertEquals(d.data(), a.grad(), "d is a constant: d(a*d)/da = d");
    }

    @Test
    void shapeMistakesAreReportedWithTheShapes() {
        Tensor a = Tensor.of(Nd4j.rand(DataType.FLOAT, 3, 4));
        Tensor b = Tensor.of(Nd4j.rand(DataType.FLOAT, 5, 6));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> a.matmul(b));
        assertTrue(e.getMessage().contains("[3, 4]") && e.getMessage().contains("[5, 6]"), e.getMessage());
        IllegalStateException notScalar = assertThrows(IllegalStateException.class,
                () -> Tensor.parameter(Nd4j.rand(DataType.FLOAT, 2, 2)).mul(2.0).backward());
        assertTrue(notScalar.getMessage().contains("[2, 2]"), notScalar.getMessage());
        IndexOutOfBoundsException idx = assertThrows(IndexOutOfBoundsException.class,
                () -> a.gatherRows(Nd4j.createFromArray(new long[] {0, 3})));
        assertTrue(idx.getMessage().contains("0..2"), idx.getMessage());
    }

    @Test
    void logProbsStayExactWhenTheTargetProbabilityUnderflows() {
        // Target logits far below the rest: softmax underflows to 0 in float32, log-prob must not be -inf.
        float[][][] l = new float[1][3][4];
        l[0][0] = new float[] {0f, 150f, 0f, 0f};
        l[0][1] = new float[] {2f, 0f, 1f, 0f};
        l[0][2] = new float[] {0f, 0f, 0f, 0f};
        Tensor logits = Tensor.parameter(Nd4j.createFromArray(l));
        INDArray tokens = Nd4j.createFromArray(new long[][] {{0, 0, 1}});
        Tensor lp = Functional.logProbsOfNextTokens(logits, tokens);
        double lse0 = 150 + Math.log(1 + 3 * Math.exp(-150));
        assertEquals(0 - lse0, lp.data().getDouble(0, 0), 1e-4);
        double lse1 = Math.log(Math.exp(2) + 1 + Math.exp(1) + 1);
        assertEquals(0 - lse1, lp.data().getDouble(0, 1), 1e-5);
        lp.sum().backward();
        assertEquals(1.0, logits.grad().getDouble(0, 0, 0), 1e-6, "d logp / d target logit = 1 - p = 1");
        assertEquals(-1.0, logits.grad().getDouble(0, 0, 1), 1e-6);
        assertEquals(0.0, logits.grad().getDouble(0, 2, 0), 0.0, "the last position predicts nothing");
    }
}
