package gptcourse.autograd;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The native memory one {@link Tensor} owns, its values and its gradient, and when each is freed.
 * ND4J frees an array's memory only at a garbage collection unless someone closes it, and a training
 * step makes hundreds of megabytes of intermediates, so every tensor knows which array it must free
 * (none for a view of another tensor's memory or for a leaf the caller owns) and frees it as early as
 * it can: {@code backward()} frees intermediates and gradients as it goes, {@link Tensor#discardData()}
 * and {@link Tensor#close()} free on request. Freed large arrays go back to {@link Buffers} for reuse.
 */
final class TensorMemory {
    private INDArray data;
    /** The array whose memory {@link #data} lives in and that this tensor frees; null for views and leaves. */
    private INDArray dataOwner;
    /** The shape, kept for the backward pass after {@link #discard()}. */
    private long[] discardedShape;
    private boolean released;
    private INDArray grad;
    /** The array whose memory {@link #grad} lives in and that this tensor frees; null if not ours. */
    private INDArray gradMemory;

    TensorMemory(INDArray data, INDArray dataOwner) {
        this.data = data;
        this.dataOwner = dataOwner;
    }

    /** The values as they are (null once released, or while a lazy tensor has none yet). */
    INDArray values() {
        return data;
    }

    /** The array the values live in and that this tensor frees, or null (a view, a leaf). */
    INDArray owner() {
        return dataOwner;
    }

    boolean isReleased() {
        return released;
    }

    /** Takes over {@code other}'s values and their memory; {@code other} then owns nothing and counts as released. */
    void adopt(TensorMemory other) {
        data = other.data;
        dataOwner = other.dataOwner;
        other.data = null;
        other.dataOwner = null;
        other.released = true;
    }

    /** Frees the values but remembers their shape, which the backward pass still needs. */
    void discard() {
        if (!released) {
            discardedShape = data.shape();
            release();
        }
    }

    /** Frees (or recycles) the values' memory if this tensor owns it; reading them is an error from now on. */
    void release() {
        Buffers.release(dataOwner);
        dataOwner = null;
        data = null;
        released = true;
    }

    /** The shape a gradient of this tensor has, also after {@link #discard()}. */
    long[] gradShape() {
        return data != null ? data.shape() : discardedShape;
    }

    /** The gradient as it stands (during {@code backward()}, or accumulated after it); null if none. */
    INDArray grad() {
        return grad;
    }

    /** The array the gradient lives in and that this tensor frees, or null. */
    INDArray gradMemory() {
        return gradMemory;
    }

    /** Sets the gradient to {@code value}, which lives in {@code memory} that this tensor now frees. */
    void setGrad(INDArray value, INDArray memory) {
        grad = value;
        gradMemory = memory;
    }

    /** Another tensor kept this gradient's memory: this one no longer frees it. */
    void giveUpGradMemory() {
        gradMemory = null;
    }

    /** Frees the gradient. */
    void zeroGrad() {
        Buffers.release(gradMemory);
        grad = null;
        gradMemory = null;
    }
}
