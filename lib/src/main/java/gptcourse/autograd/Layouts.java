package gptcourse.autograd;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.shape.Shape;

/**
 * Whether an array's values lie at the start of its buffer in row-major order, and reading them out:
 * what any code needs before it hands a buffer to something outside ND4J's indexing (a GEMM that writes
 * in place, a file, Java arrays). The one implementation the autograd engine, the safetensors writer
 * and the sampler share.
 */
public final class Layouts {
    private Layouts() {
    }

    /** Row-major with the default strides, no offset and its buffer's own type: an array that owns its layout. */
    public static boolean fromBufferStart(INDArray a) {
        return a.ordering() == 'c' && a.offset() == 0 && a.dataType() == a.data().dataType()
                && Shape.hasDefaultStridesForShape(a) && a.data().length() >= a.length();
    }

    /**
     * The values in row-major order as Java doubles, read from the buffer where {@link #fromBufferStart}
     * holds; otherwise from a row-major copy, freed at once. ({@code toDoubleVector()} always makes that
     * copy and leaves it to the garbage collector: a sampler's token made several of 400 KB.)
     */
    public static double[] values(INDArray a) {
        int n = Math.toIntExact(a.length());
        if (fromBufferStart(a)) {
            return a.data().getDoublesAt(0, n);
        }
        INDArray copy = a.dup('c');
        try {
            return copy.data().getDoublesAt(0, n);
        } finally {
            copy.close();
        }
    }
}
