package gptcourse.autograd;

import java.util.List;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * How an operation hands back its result. With a gradient needed (grad mode on and an input that
 * requires one), the result carries a {@link Node}: the inputs, the backward function and the arrays
 * saved for it. Without, the saved arrays are freed at once and the result is a plain tensor that the
 * open {@link Arena}, if any, frees when it closes.
 */
final class Recording {
    private Recording() {
    }

    /** True when an operation on {@code inputs} must record a graph: grad mode on and an input requiring grad. */
    static boolean needsGrad(Tensor... inputs) {
        if (!GradMode.isEnabled()) {
            return false;
        }
        for (Tensor t : inputs) {
            if (t.requiresGrad()) {
                return true;
            }
        }
        return false;
    }

    /**
     * An operation's result {@code out}; records {@code backward} when any input needs a gradient.
     *
     * @param outOwner the array {@code out}'s memory belongs to, freed with the tensor (null: a view)
     * @param saved    arrays only {@code backward} uses, freed after the backward pass (or now, without a graph)
     */
    static Tensor result(INDArray out, INDArray outOwner, Node.Backward backward, List<INDArray> saved, Tensor... inputs) {
        if (needsGrad(inputs)) {
            return new Tensor(out, outOwner, true, new Node(inputs, backward, saved));
        }
        for (INDArray s : saved) {
            Buffers.release(s);
        }
        Tensor t = new Tensor(out, outOwner, false, null);
        if (outOwner != null) {
            Arena.created(t);
        }
        return t;
    }

    /** For a result {@code out} that is a freshly allocated array. */
    static Tensor result(INDArray out, Node.Backward backward, Tensor... inputs) {
        return result(out, out, backward, List.of(), inputs);
    }

    /** For a freshly allocated result, with arrays saved for {@code backward}. */
    static Tensor result(INDArray out, Node.Backward backward, List<INDArray> saved, Tensor... inputs) {
        return result(out, out, backward, saved, inputs);
    }
}
