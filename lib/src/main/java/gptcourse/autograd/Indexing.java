package gptcourse.autograd;

import java.util.Arrays;
import java.util.List;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.api.ops.impl.shape.Gather;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Picking elements by integer index: embedding lookups and "the value at the target". The backward
 * pass puts each picked element's gradient back where it came from, adding up the gradients of an
 * element picked several times (a token that occurs twice in a batch).
 */
final class Indexing {
    private Indexing() {
    }

    /** Rows of the {@code [n, d]} matrix {@code w} picked by {@code indices} of any shape: {@code indices.shape + [d]}. */
    static Tensor gatherRows(Tensor w, INDArray indices) {
        if (w.rank() != 2) {
            throw new IllegalArgumentException("gatherRows needs a [rows, columns] matrix, got " + Arrays.toString(w.shape()));
        }
        long n = w.size(0);
        long d = w.size(1);
        INDArray flat = indices.castTo(DataType.INT64).reshape(indices.length());
        checkIndexRange(flat, n, "gatherRows");
        INDArray rows = Nd4j.exec(new Gather(w.data(), flat, 0))[0];
        long[] outShape = Arrays.copyOf(indices.shape(), indices.rank() + 1);
        outShape[indices.rank()] = d;
        return Recording.result(rows.reshape(outShape), rows, (g, o) -> {
            // scatter_add sums repeated indices; libnd4j's gather backward overwrites them, and its
            // unsorted_segment_sum leaks an output-sized buffer on every call (1.0.0-M2.1).
            INDArray gw = Buffers.zeros(g.dataType(), n, d);
            scatterAddInPlace(gw, flat, Shapes.flatRows(g, d));
            return Grad.of(gw);
        }, List.of(), w);
    }

    /** For {@code a [..., v]} and {@code indices [...]}, the element at each index along the last dimension. */
    static Tensor gatherLast(Tensor a, INDArray indices) {
        long[] s = a.shape();
        long v = s[s.length - 1];
        if (!Arrays.equals(indices.shape(), Arrays.copyOf(s, s.length - 1))) {
            throw new IllegalArgumentException("gatherLast: indices of shape " + Arrays.toString(indices.shape())
                    + " do not match " + Arrays.toString(Arrays.copyOf(s, s.length - 1)));
        }
        INDArray flatIdx = flatIndexLast(indices, v);
        INDArray flatData = Shapes.flatRows(a.data(), v).reshape(a.length());
        INDArray gathered = Nd4j.exec(new Gather(flatData, flatIdx, 0))[0];
        return Recording.result(gathered.reshape(indices.shape()), gathered, (g, o) -> {
            INDArray full = Nd4j.zeros(g.dataType(), a.length());
            scatterAddInPlace(full, flatIdx, g.reshape(g.length()));
            return new Grad[] {Grad.view(full.reshape(s), full)};
        }, List.of(flatIdx), a);
    }

    /**
     * {@code ref[indices[i]] += updates[i]}, written into {@code ref} itself. The op's {@code lock}
     * flag is set: without it libnd4j M2.1 adds repeated indices from several threads at once and
     * loses updates (a repeated token's embedding gradient came out wrong by whole units).
     */
    static void scatterAddInPlace(INDArray ref, INDArray indices, INDArray updates) {
        Nd4j.exec(DynamicCustomOp.builder("scatter_add")
                .addInputs(ref, indices, updates).addOutputs(ref).addBooleanArguments(true).build());
    }

    /** Row-major flat positions {@code row * v + index} of each index in a {@code [..., v]} array. */
    static INDArray flatIndexLast(INDArray indices, long v) {
        long n = indices.length();
        INDArray idx = indices.castTo(DataType.INT64).reshape(n);
        checkIndexRange(idx, v, "index");
        INDArray rowStart = Nd4j.arange(0, n).castTo(DataType.INT64).muli(v);
        return rowStart.addi(idx);
    }

    /** Throws, naming the first offending index, unless every index is in {@code 0..bound-1}. */
    static void checkIndexRange(INDArray idx, long bound, String what) {
        if (idx.length() == 0) {
            return;
        }
        long min = idx.minNumber().longValue();
        long max = idx.maxNumber().longValue();
        if (min < 0 || max >= bound) {
            throw new IndexOutOfBoundsException(what + ": index " + (min < 0 ? min : max) + " is out of range; "
                    + "accepted indices are 0.." + (bound - 1));
        }
    }
}
