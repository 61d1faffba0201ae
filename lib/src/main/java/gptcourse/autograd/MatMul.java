package gptcourse.autograd;

import java.util.Arrays;
import java.util.List;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.AddOp;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Matrix products. For {@code out = a @ b}, {@code d/da = g @ b^T} and {@code d/db = a^T @ g}: one GEMM
 * each, with the transposes folded into the GEMM rather than copied.
 */
final class MatMul {
    private MatMul() {
    }

    /** {@code a @ b} for two matrices, a batch times a matrix, or two batches with equal leading dimensions. */
    static Tensor matmul(Tensor a, Tensor b) {
        long[] as = a.shape();
        long[] bs = b.shape();
        if (as.length < 2 || bs.length < 2 || as[as.length - 1] != bs[bs.length - 2]) {
            throw new IllegalArgumentException("matmul: shapes " + Arrays.toString(as) + " and " + Arrays.toString(bs)
                    + " do not fit (need [..., n, k] and [..., k, m])");
        }
        if (bs.length == 2) {
            // [..., n, k] @ [k, m]: all rows of a as one [rows, k] matrix, one GEMM
            long k = as[as.length - 1];
            INDArray a2 = Shapes.flatRows(a.data(), k);
            INDArray out2 = Nd4j.gemm(a2, b.data(), false, false);
            long[] outShape = Arrays.copyOf(as, as.length);
            outShape[as.length - 1] = bs[1];
            return Recording.result(out2.reshape(outShape), out2, (g, out) -> {
                INDArray g2 = Shapes.flatRows(g, bs[1]);
                Grad ga = null;
                if (a.requiresGrad()) {
                    INDArray ga2 = Nd4j.gemm(g2, b.values(), false, true);
                    ga = Grad.view(ga2.reshape(as), ga2);
                }
                Grad gb = b.requiresGrad() ? Grad.fresh(Nd4j.gemm(a2, g2, true, false)) : null;
                return new Grad[] {ga, gb};
            }, List.of(), a, b);
        }
        if (as.length != bs.length || !Arrays.equals(Arrays.copyOf(as, as.length - 2), Arrays.copyOf(bs, bs.length - 2))) {
            throw new IllegalArgumentException("matmul: batch dimensions of " + Arrays.toString(as) + " and "
                    + Arrays.toString(bs) + " must be equal");
        }
        return Recording.result(batchMatmul(a.data(), b.data(), false, false), (g, out) -> Grad.of(
                a.requiresGrad() ? batchMatmul(g, b.values(), false, true) : null,
                b.requiresGrad() ? batchMatmul(a.values(), g, true, false) : null), a, b);
    }

    /** Batched {@code op(a) @ op(b)} over the last two dimensions, into a new array. */
    static INDArray batchMatmul(INDArray a, INDArray b, boolean transA, boolean transB) {
        int r = a.rank();
        long[] shape = a.shape().clone();
        shape[r - 2] = transA ? a.size(r - 1) : a.size(r - 2);
        shape[r - 1] = transB ? b.size(r - 2) : b.size(r - 1);
        INDArray out = Buffers.empty(a.dataType(), shape);
        Nd4j.matmul(a, b, out, transA, transB, false);
        return out;
    }

    /**
     * {@code x @ weight + bias} for {@code x [..., k]}, {@code weight [k, m]}, {@code bias [m]}: one GEMM
     * and one broadcast add; the backward pass is two GEMMs and a column sum. (The unembedding's
     * {@code [4096, 50257]} logits never come here: they are lazy, and {@link RowBlocks} carries their
     * bias inside the GEMM, where a column sum over 0.8 GB would cost as much as a GEMM. Here, at
     * {@code [512, 32]}, building {@code [x | 1]} and {@code [W ; b]} took four copies a call, a third of
     * a small model's forward pass.)
     */
    static Tensor linear(Tensor x, Tensor weight, Tensor bias) {
        long[] xs = x.shape();
        long[] ws = weight.shape();
        checkLinearShapes(xs, weight, bias);
        long k = ws[0];
        long m = ws[1];
        DataType type = x.dtype();
        INDArray x2 = Shapes.flatRows(x.data(), k);
        long rows = x2.rows();
        INDArray out2 = Buffers.empty(type, rows, m);
        Nd4j.gemm(x2, weight.data(), out2, false, false, 1.0, 0.0);
        Shapes.releaseFlatRows(x2, x.data()); // a contiguous copy of a strided x, if one was made
        // a broadcasting add: addiRowVector left three small arrays a call to the garbage collector
        Nd4j.exec(new AddOp(new INDArray[] {out2, bias.data()}, new INDArray[] {out2}));
        long[] outShape = Arrays.copyOf(xs, xs.length);
        outShape[xs.length - 1] = m;
        return Recording.result(out2.reshape(outShape), out2, (g, out) -> {
            INDArray g2 = Shapes.flatRows(g, m);
            Grad gx = null;
            if (x.requiresGrad()) {
                INDArray gx2 = Buffers.empty(type, rows, k);
                Nd4j.gemm(g2, weight.values(), gx2, false, true, 1.0, 0.0);
                gx = Grad.view(gx2.reshape(xs), gx2);
            }
            Grad gw = null;
            if (weight.requiresGrad()) {
                INDArray gw2 = Buffers.empty(type, k, m);
                INDArray xRows = Shapes.flatRows(x.values(), k);
                Nd4j.gemm(xRows, g2, gw2, true, false, 1.0, 0.0);
                Shapes.releaseFlatRows(xRows, x.values());
                gw = Grad.fresh(gw2);
            }
            Grad gb = bias.requiresGrad() ? Grad.fresh(g2.sum(0)) : null;
            return new Grad[] {gx, gw, gb};
        }, List.of(), x, weight, bias);
    }

    /** Rejects shapes that do not fit {@code [..., k] @ [k, m] + [m]}, naming them. */
    static void checkLinearShapes(long[] xs, Tensor weight, Tensor bias) {
        long[] ws = weight.shape();
        if (xs.length < 1 || ws.length != 2 || xs[xs.length - 1] != ws[0]) {
            throw new IllegalArgumentException("linear: input " + Arrays.toString(xs) + " and weight "
                    + Arrays.toString(ws) + " do not fit (need [..., k] and [k, m])");
        }
        if (bias.rank() != 1 || bias.size(0) != ws[1]) {
            throw new IllegalArgumentException("linear: bias must have shape [" + ws[1] + "], got "
                    + Arrays.toString(bias.shape()));
        }
    }
}
