package gptcourse.autograd;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Sums and means over some dimensions, and argmax. Every input element contributed once to its sum,
 * so its gradient is the output's gradient at its position (divided by the count for a mean): the
 * output gradient repeated back along the reduced dimensions.
 */
final class Reductions {
    private Reductions() {
    }

    /** Sum ({@code mean == false}) or mean over {@code dims} (all when empty; negative count from the end). */
    static Tensor reduce(Tensor a, boolean mean, boolean keepDim, int... dims) {
        long[] inShape = a.shape();
        int[] ds = normalizeDims(dims, inShape.length);
        long count = 1;
        long[] keptShape = inShape.clone();
        for (int d : ds) {
            count *= inShape[d];
            keptShape[d] = 1;
        }
        INDArray out = mean ? a.data().mean(keepDim, ds) : a.data().sum(keepDim, ds);
        double scale = mean ? 1.0 / count : 1.0;
        return Recording.result(out, (g, o) -> {
            INDArray expanded = Shapes.broadcastTo(g.reshape(keptShape), inShape);
            if (scale != 1.0) {
                expanded.muli(scale);
            }
            return Grad.of(expanded);
        }, a);
    }

    /** {@code dims} as sorted non-negative dimensions (all of them when empty); rejects repeats and out-of-range ones. */
    static int[] normalizeDims(int[] dims, int rank) {
        if (dims.length == 0) {
            int[] all = new int[rank];
            for (int i = 0; i < rank; i++) {
                all[i] = i;
            }
            return all;
        }
        int[] out = new int[dims.length];
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < dims.length; i++) {
            int d = dims[i] < 0 ? rank + dims[i] : dims[i];
            if (d < 0 || d >= rank || !seen.add(d)) {
                throw new IllegalArgumentException("dimension " + dims[i] + " is out of range (or repeated) for a tensor of rank " + rank);
            }
            out[i] = d;
        }
        Arrays.sort(out);
        return out;
    }

    /** Index of the largest value along {@code dim} (no gradient); lazy logits a block of rows at a time. */
    static INDArray argmax(Tensor a, int dim) {
        int d = dim < 0 ? a.rank() + dim : dim;
        if (a.lazy() != null && d == a.rank() - 1) {
            return a.lazy().argmaxLast();
        }
        return a.data().argMax(d);
    }
}
