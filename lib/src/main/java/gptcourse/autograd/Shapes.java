package gptcourse.autograd;

import java.util.Arrays;
import java.util.List;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.AddOp;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Operations that move values without changing them: reshape, permute, expand, slice. Each backward
 * moves the gradient back the same way: reshape it to the input's shape, apply the inverse
 * permutation, sum what was repeated, put the slice's gradient into zeros. Most outputs are views of
 * their input (no copy), and most gradients views of the incoming gradient.
 */
final class Shapes {
    private Shapes() {
    }

    /** Same values in a new shape; a view when the layout allows. */
    static Tensor reshape(Tensor a, long... newShape) {
        long[] inShape = a.shape();
        boolean copy = !Layouts.fromBufferStart(a.data());
        INDArray base = copy ? a.data().dup('c') : a.data();
        INDArray out = base.reshape('c', newShape);
        return Recording.result(out, copy ? base : null, (g, o) -> {
            if (Layouts.fromBufferStart(g)) {
                return new Grad[] {Grad.view(g.reshape('c', inShape), g)};
            }
            INDArray c = g.dup('c');
            return new Grad[] {Grad.view(c.reshape('c', inShape), c)};
        }, List.of(), a);
    }

    /** Repeats size-1 or missing leading dimensions to {@code shape}; the gradient sums over the repeats. */
    static Tensor expand(Tensor a, long... shape) {
        long[] in = a.shape();
        if (in.length > shape.length) {
            throw new IllegalArgumentException("expand: cannot expand shape " + Arrays.toString(in) + " to fewer dimensions "
                    + Arrays.toString(shape));
        }
        long[] padded = new long[shape.length];
        Arrays.fill(padded, 1);
        System.arraycopy(in, 0, padded, shape.length - in.length, in.length);
        INDArray src = Arrays.equals(padded, in) ? a.data() : flatRows(a.data(), 1).reshape(padded);
        // the output-shaped gradient, which Backprop sums down to a's shape
        return Recording.result(broadcastTo(src, shape), (g, o) -> new Grad[] {Grad.view(g, g)}, a);
    }

    /** {@code x} repeated along its size-1 dimensions to {@code shape}, into a new array. (A broadcasting
     *  add onto zeros: libnd4j's own broadcast/broadcast_to is about 70x slower here.) */
    static INDArray broadcastTo(INDArray x, long[] shape) {
        INDArray z = Buffers.empty(x.dataType(), shape);
        z.assign(0);
        Nd4j.exec(new AddOp(new INDArray[] {z, x}, new INDArray[] {z}));
        return z;
    }

    /** The same values row-major in their own memory (the tensor itself if already so). */
    static Tensor contiguous(Tensor a) {
        INDArray d = a.data();
        if (Layouts.fromBufferStart(d) && d.length() == d.data().length()) {
            return a;
        }
        INDArray out = Buffers.empty(a.dtype(), a.shape());
        out.assign(d);
        return Recording.result(out, (g, o) -> new Grad[] {Grad.view(g, g)}, a);
    }

    /** Reorders dimensions (a view); the gradient is permuted back. */
    static Tensor permute(Tensor a, int... dims) {
        if (dims.length != a.rank()) {
            throw new IllegalArgumentException("permute: need " + a.rank() + " dimensions, got " + Arrays.toString(dims));
        }
        int[] inverse = new int[dims.length];
        for (int i = 0; i < dims.length; i++) {
            inverse[dims[i]] = i;
        }
        return Recording.result(a.data().permute(dims), null, (g, o) -> new Grad[] {Grad.view(g.permute(inverse), g)},
                List.of(), a);
    }

    /** Swaps two dimensions (negative indices count from the end): a {@link #permute}. */
    static Tensor transpose(Tensor a, int dim0, int dim1) {
        int r = a.rank();
        int[] perm = new int[r];
        for (int i = 0; i < r; i++) {
            perm[i] = i;
        }
        int d0 = dim0 < 0 ? r + dim0 : dim0;
        int d1 = dim1 < 0 ? r + dim1 : dim1;
        perm[d0] = d1;
        perm[d1] = d0;
        return permute(a, perm);
    }

    /** Elements {@code start..end-1} along {@code dim} (a view); lazy logits stay lazy when sliced along another dimension. */
    static Tensor slice(Tensor a, int dim, long start, long end) {
        int d = dim < 0 ? a.rank() + dim : dim;
        long[] inShape = a.shape();
        if (d < 0 || d >= inShape.length || start < 0 || end > inShape[d] || start >= end) {
            throw new IllegalArgumentException("slice: cannot take [" + start + ", " + end + ") of dimension " + dim
                    + " of a tensor with shape " + Arrays.toString(inShape));
        }
        LazyLinear l = a.lazy();
        if (l != null && d != inShape.length - 1) {
            // rows of x @ W + b are x's rows times W: slice x, stay lazy
            l.checkOpen();
            return Tensor.lazy(new LazyLinear(l.input().slice(d, start, end), l.weight(), l.bias(), a.requiresGrad(), a));
        }
        INDArrayIndex[] idx = sliceIndex(inShape.length, d, start, end);
        return Recording.result(a.data().get(idx), null, (g, o) -> {
            INDArray full = Nd4j.zeros(g.dataType(), inShape);
            full.get(idx).assign(g);
            return Grad.of(full);
        }, List.of(), a);
    }

    /** The index {@code [:, ..., start:end, ..., :]} selecting a range of dimension {@code dim}. */
    static INDArrayIndex[] sliceIndex(int rank, int dim, long start, long end) {
        INDArrayIndex[] idx = new INDArrayIndex[rank];
        for (int i = 0; i < rank; i++) {
            idx[i] = i == dim ? NDArrayIndex.interval(start, end) : NDArrayIndex.all();
        }
        return idx;
    }

    /** {@code [..., k]} as a {@code [rows, k]} matrix, copying only if the layout needs it. */
    static INDArray flatRows(INDArray x, long k) {
        INDArray c = Layouts.fromBufferStart(x) ? x : x.dup('c');
        return c.reshape('c', x.length() / k, k);
    }

    /** Frees {@code rows} if {@link #flatRows} made it as a copy of {@code x} (a view of x is left alone). */
    static void releaseFlatRows(INDArray rows, INDArray x) {
        if (rows.data() != x.data()) {
            Buffers.release(rows);
        }
    }
}
