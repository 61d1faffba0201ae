package gptcourse.autograd;

import java.util.Arrays;
import java.util.List;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.reduce3.Dot;
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
        return Recording.result(out, (g, o) -> new Grad[] {softmaxBackward(o.values(), g, 1.0)}, a);
    }

    /**
     * {@code scale * y * (g - sum(g * y, -1))}: the gradient through {@code y = softmax(scale * x)} (last
     * dim), computed in the memory of the incoming gradient {@code g}, which the engine hands over (a
     * copy if g is not a plain array). The row sums are dot products of g's and y's rows, so no
     * temporary of y's size is made: at the course's size these are {@code [32, 16, 128, 128]}, 33.5 MB
     * each, and two fewer of them lowered a training step's peak.
     */
    static Grad softmaxBackward(INDArray y, INDArray g, double scale) {
        INDArray dx = Layouts.fromBufferStart(g) ? g : g.dup('c');
        int last = y.rank() - 1;
        long[] rowShape = y.shape();
        rowShape[last] = 1;
        INDArray s = Nd4j.createUninitialized(y.dataType(), Arrays.copyOf(rowShape, last));
        Nd4j.getExecutioner().exec(new Dot(dx, y, s, last));
        dx.subi(s.reshape(rowShape)).muli(y);
        s.close();
        if (scale != 1.0) {
            dx.muli(scale);
        }
        return Grad.view(dx, dx == g ? g : dx);
    }

    static Tensor logSoftmax(Tensor a) {
        INDArray out = Nd4j.createUninitialized(a.dtype(), a.shape());
        Nd4j.exec(new LogSoftMax(a.data(), out));
        return Recording.result(out, (g, o) -> {
            INDArray y = o.values();
            INDArray s = g.sum(true, y.rank() - 1);
            INDArray e = Transforms.exp(y, true);
            INDArray d = Elementwise.binary(Elementwise.Op.MUL, e, s);
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
        return Recording.result(out, (g, o) -> Grad.of(g.mul(keep)), List.of(keep), a);
    }
}
