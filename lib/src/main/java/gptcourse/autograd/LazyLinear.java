package gptcourse.autograd;

import java.util.Arrays;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * What a lazy tensor ({@link Tensor#lazyLinear}) holds instead of its values: {@code x @ W + b}'s
 * input, weight and bias. At the course's size the values are the {@code [32, 128, 50257]} logits,
 * 0.8 GB written and read several times a step; the loss and the argmax need only one block of rows
 * of them at a time ({@link RowBlocks}).
 */
final class LazyLinear implements AutoCloseable {
    private final Tensor input;
    private final Tensor weight;
    private final Tensor bias;
    private final boolean requiresGrad;
    /** The lazy tensor this one is a slice of (to notice when that one is closed), or null. */
    private final Tensor source;
    private final long[] shape;
    /** Whether closing this frees {@link #input} (an intermediate nobody else holds). */
    private boolean ownsInput;
    private boolean closed;

    LazyLinear(Tensor input, Tensor weight, Tensor bias, boolean requiresGrad, Tensor source) {
        this.input = input;
        this.weight = weight;
        this.bias = bias;
        this.requiresGrad = requiresGrad;
        this.source = source;
        long[] xs = input.shape();
        shape = Arrays.copyOf(xs, xs.length);
        shape[xs.length - 1] = weight.size(1);
    }

    Tensor input() {
        return input;
    }

    Tensor weight() {
        return weight;
    }

    Tensor bias() {
        return bias;
    }

    /** Whether the tensor was made with a graph (as {@link Tensor#linear} would have recorded one). */
    boolean requiresGrad() {
        return requiresGrad;
    }

    long[] shape() {
        return shape.clone();
    }

    void ownInput() {
        ownsInput = true;
    }

    void checkOpen() {
        if (closed || (source != null && source.isReleased())) {
            throw new IllegalStateException("these logits were closed (or sliced from logits that were closed); "
                    + "read what you need before closing them");
        }
    }

    /** The index of the largest value of each row, one block of rows at a time: {@code argmax(-1)}. */
    INDArray argmaxLast() {
        checkOpen();
        try (RowBlocks blocks = RowBlocks.of(input.data(), weight.data(), bias.data())) {
            long n = blocks.rows();
            INDArray out = Nd4j.create(DataType.INT64, n);
            for (long r0 = 0; r0 < n; r0 += blocks.blockRows()) {
                long r1 = Math.min(n, r0 + blocks.blockRows());
                out.get(NDArrayIndex.interval(r0, r1)).assign(blocks.block(r0, r1).argMax(1));
            }
            return out.reshape(Arrays.copyOf(shape, shape.length - 1));
        }
    }

    @Override
    public void close() {
        if (!closed && ownsInput) {
            input.close();
        }
        closed = true;
    }
}
