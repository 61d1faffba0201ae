package gptcourse.autograd;

import java.util.List;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.custom.LogSoftMax;
import org.nd4j.linalg.api.ops.impl.transforms.custom.SoftMax;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Softmax and log-softmax over the last dimension, and the mask that goes before an attention softmax.
 * Their backward functions are written in terms of the output {@code y}, which is why these operations
 * read their own result: for softmax {@code dx = y * (g - sum(g * y))}, for log-softmax
 * {@code dx = g - exp(y) * sum(g)} (sums along the last dimension).
 */
final class SoftmaxOps {
    private SoftmaxOps() {
    }

    static Tensor softmax(Tensor a) {
        INDArray out = Buffers.empty(a.dtype(), a.shape());
        Nd4j.exec(new SoftMax(a.data(), out, a.rank() - 1));
        return Tensor.result(out, (g, o) -> Grad.of(softmaxBackward(o.values(), g, 1.0)), a);
    }

    /** {@code scale * y * (g - sum(g * y, -1))}: the gradient through {@code y = softmax(scale * x)} (last dim). */
    static INDArray softmaxBackward(INDArray y, INDArray g, double scale) {
        INDArray gy = Elementwise.binary(Tensor.Op.MUL, g, y);
        INDArray s = gy.sum(true, y.rank() - 1);
        if (scale != 1.0) {
            s.muli(scale);
            gy.muli(scale);
        }
        INDArray sy = Elementwise.binary(Tensor.Op.MUL, y, s);
        gy.subi(sy);
        Buffers.release(sy);
        s.close();
        return gy;
    }

    static Tensor logSoftmax(Tensor a) {
        INDArray out = Nd4j.createUninitialized(a.dtype(), a.shape());
        Nd4j.exec(new LogSoftMax(a.data(), out));
        return Tensor.result(out, (g, o) -> {
            INDArray y = o.values();
            INDArray s = g.sum(true, y.rank() - 1);
            INDArray e = Transforms.exp(y, true);
            INDArray d = Elementwise.binary(Tensor.Op.MUL, e, s);
            e.close();
            s.close();
            return Grad.of(d.rsubi(g));
        }, a);
    }

    /** {@code a} with {@code value} where the (broadcasting) {@code mask} is non-zero; those positions get no gradient. */
    static Tensor maskedFill(Tensor a, INDArray mask, double value) {
        // castTo returns the same array when the type already matches: copy, since m is changed below.
        INDArray m = mask.dataType() == a.dtype() ? mask.dup() : mask.castTo(a.dtype());
        INDArray keep = m.rsub(1.0);
        INDArray out = a.data().mul(keep).addi(m.muli(value));
        m.close();
        return Tensor.result(out, (g, o) -> Grad.of(g.mul(keep)), List.of(keep), a);
    }
}
