package gptcourse.autograd;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One input's gradient, as an operation's backward function returns it to {@link Backprop}: the
 * values, and the array whose memory they live in, which the operation hands over.
 *
 * <p>Most gradients are new arrays: {@link #fresh}, or {@link #of} for all of an operation's. Two other shapes occur, both to save copying large
 * arrays: a gradient that is the incoming gradient itself or a view of it ({@code reshape},
 * {@code permute}, {@code x + y} pass it through unchanged: {@code Grad.view(g.reshape(...), g)}),
 * and several gradients that are parts of one new array ({@code linear} computes the weight's and the
 * bias's gradients in one GEMM into {@code [W ; b]}: {@code Grad.view(gwb.getRow(k), gwb)}). The
 * engine then keeps the memory as one input's gradient without copying, or frees it.
 *
 * @param value  the gradient of one input: the input's shape, or a shape that broadcasts to it (the
 *               engine sums it down, as PyTorch does for broadcast operands)
 * @param memory the array {@code value} lives in: {@code value} itself, a new array {@code value} is a
 *               view of, or the incoming gradient {@code g} (the very object the backward function was
 *               given). Never an array that anything else still uses.
 */
record Grad(INDArray value, INDArray memory) {
    /** A gradient in a new array, which the engine now owns; null for null. */
    static Grad fresh(INDArray fresh) {
        return fresh == null ? null : new Grad(fresh, fresh);
    }

    /** A gradient that is a view into {@code memory}: a new array, or the incoming gradient. */
    static Grad view(INDArray value, INDArray memory) {
        return new Grad(value, memory);
    }

    /** The gradients of an operation's inputs, in order, each a new array or null (no gradient needed). */
    static Grad[] of(INDArray... fresh) {
        Grad[] out = new Grad[fresh.length];
        for (int i = 0; i < fresh.length; i++) {
            out[i] = fresh(fresh[i]);
        }
        return out;
    }
}
