package gptcourse.autograd;

import static gptcourse.autograd.GradCheck.check;
import static gptcourse.autograd.GradCheck.randn;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Finite-difference checks of every operation's backward pass, in double precision. */
class TensorGradTest {

    @Test
    void arithmeticWithBroadcasting() {
        check("add", in -> in.get(0).add(in.get(1)), randn(1, 2, 3, 4), randn(2, 3, 1));
        check("sub", in -> in.get(0).sub(in.get(1)), randn(1, 2, 3, 4), randn(2, 4));
        check("mul", in -> in.get(0).mul(in.get(1)), randn(1, 2, 3, 4), randn(2, 2, 1, 4));
        check("div", in -> in.get(0).div(in.get(1)), randn(1, 3, 4), randn(2, 4).addi(3.0));
        check("scalar ops", in -> in.get(0).mul(3.0).add(1.5).neg().div(2.0).sub(0.5), randn(3, 5));
        check("same tensor twice", in -> in.get(0).mul(in.get(0)).add(in.get(0)), randn(4, 3));
    }

    @Test
    void elementwiseFunctions() {
        check("exp", in -> in.get(0).exp(), randn(1, 3, 4));
        check("log", in -> in.get(0).exp().add(0.5).log(), randn(1, 3, 4));
        check("sqrt", in -> in.get(0).mul(in.get(0)).add(1.0).sqrt(), randn(1, 3, 4));
        check("tanh", in -> in.get(0).tanh(), randn(1, 3, 4));
        check("pow", in -> in.get(0).pow(3.0), randn(1, 3, 4));
        check("gelu_new", in -> Functional.geluNew(in.get(0)), randn(1, 4, 5).muli(3));
    }

    @Test
    void matrixProducts() {
        check("matmul 2d", in -> in.get(0).matmul(in.get(1)), randn(1, 3, 4), randn(2, 4, 5));
        check("matmul batch x matrix", in -> in.get(0).matmul(in.get(1)), randn(1, 2, 3, 4), randn(2, 4, 5));
        check("matmul batched", in -> in.get(0).matmul(in.get(1)), randn(1, 2, 3, 3, 4), randn(2, 2, 3, 4, 5));
        check("matmul with transposed view", in -> in.get(0).matmul(in.get(1).transpose(-1, -2)), randn(1, 2, 3, 4), randn(2, 2, 5, 4));
        check("linear", in -> in.get(0).linear(in.get(1), in.get(2)), randn(1, 2, 3, 4), randn(2, 4, 5), randn(3, 5));
        check("linear of a strided view", in -> in.get(0).transpose(0, 1).linear(in.get(1), in.get(2)),
                randn(1, 3, 2, 4), randn(2, 4, 5), randn(3, 5));
    }

    @Test
    void shapes() {
        check("reshape", in -> in.get(0).reshape(6, 4).mul(in.get(1)), randn(1, 2, 3, 4), randn(2, 6, 4));
        check("permute", in -> in.get(0).permute(2, 0, 1).mul(in.get(1)), randn(1, 2, 3, 4), randn(2, 4, 2, 3));
        check("permute then reshape", in -> in.get(0).permute(0, 2, 1).reshape(2, 12).mul(in.get(1)), randn(1, 2, 3, 4), randn(2, 2, 12));
        check("slice", in -> in.get(0).slice(1, 1, 3), randn(1, 2, 4, 3));
        check("expand", in -> in.get(0).expand(3, 4, 5).mul(in.get(1)), randn(1, 4, 5), randn(2, 3, 4, 5));
    }

    @Test
    void reductions() {
        check("sum dims", in -> in.get(0).sum(false, 1), randn(1, 2, 3, 4));
        check("sum keepdim", in -> in.get(0).sum(true, -1, 0), randn(1, 2, 3, 4));
        check("mean", in -> in.get(0).mean(false, 2), randn(1, 2, 3, 4));
        check("mean all", in -> in.get(0).mean(), randn(1, 2, 3, 4));
        check("sum all", in -> in.get(0).sum(), randn(1, 2, 3));
    }

    @Test
    void softmaxFamilyAndMasking() {
        check("softmax", in -> in.get(0).softmax(), randn(1, 2, 3, 5));
        check("softmax, 1-D", in -> in.get(0).softmax(), randn(2, 7));
        // its backward works in the incoming gradient's memory: here a permuted (strided) view
        check("softmax, then permuted", in -> in.get(0).softmax().permute(1, 0), randn(3, 3, 5));
        check("logSoftmax", in -> in.get(0).logSoftmax(), randn(1, 2, 3, 5));
        INDArray mask = Nd4j.createFromArray(new boolean[][] {{false, true, true}, {false, false, true}, {false, false, false}});
        check("maskedFill", in -> in.get(0).maskedFill(mask, -1e5).softmax(), randn(1, 2, 3, 3));
        check("maskedScaledSoftmax", in -> Functional.maskedScaledSoftmax(in.get(0), 0.7, mask, -1e5), randn(1, 2, 3, 3));
    }

    @Test
    void indexing() {
        INDArray tokens = Nd4j.createFromArray(new long[][] {{1, 4, 1, 0}, {4, 4, 2, 1}});
        check("gatherRows with repeated indices", in -> in.get(0).gatherRows(tokens), randn(1, 5, 3));
        INDArray idx = Nd4j.createFromArray(new long[][] {{0, 2, 2}, {1, 1, 0}});
        check("gatherLast", in -> in.get(0).gatherLast(idx), randn(1, 2, 3, 3));
        check("logProbsOfNextTokens", in -> Functional.logProbsOfNextTokens(in.get(0), tokens), randn(1, 2, 4, 5));
    }

    @Test
    void layerNorm() {
        check("layerNorm", in -> Functional.layerNorm(in.get(0), in.get(1), in.get(2), 1e-5),
                randn(1, 2, 3, 6), randn(2, 6), randn(3, 6));
    }

    @Test
    void fusedAttentionSoftmaxEqualsMaskThenSoftmax() {
        INDArray mask = Nd4j.createFromArray(new float[][] {{0, 1, 1, 1}, {0, 0, 1, 1}, {0, 0, 0, 1}, {0, 0, 0, 0}});
        INDArray scores = Nd4j.randn(3, new long[] {2, 3, 4, 4}).castTo(DataType.FLOAT).muli(4);
        INDArray fused = Functional.maskedScaledSoftmax(Tensor.of(scores), 0.5, mask, -1e5).data();
        INDArray plain = Tensor.of(scores).mul(0.5).maskedFill(mask, -1e5).softmax().data();
        org.junit.jupiter.api.Assertions.assertEquals(0.0, fused.sub(plain).amaxNumber().doubleValue(), 1e-7);
    }
}
