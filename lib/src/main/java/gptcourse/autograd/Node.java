package gptcourse.autograd;

import java.util.List;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * How a tensor was computed: the operation's inputs, its backward function, and arrays it kept for
 * that function (freed after the backward pass, like PyTorch's {@code ctx.save_for_backward}).
 */
final class Node {
    /**
     * An operation's derivative: from the gradient of the loss with respect to the operation's output,
     * the gradients with respect to its inputs (the chain rule, one step). As in micrograd's
     * {@code _backward}, but the gradients are returned rather than added into the inputs:
     * {@link Backprop} adds them up, so no operation needs to know who else uses its inputs.
     */
    @FunctionalInterface
    interface Backward {
        /**
         * @param g   the gradient of the output (its shape). It is the operation's to use: it may be
         *            overwritten, and returned (or views of it) as an input's gradient, see {@link Grad}
         * @param out the output tensor, for derivatives written in terms of the result ({@code exp}, softmax)
         * @return one entry per input, in the order the inputs were recorded; null where an input needs
         *         no gradient (check {@link Tensor#requiresGrad()} to skip work)
         */
        Grad[] apply(INDArray g, Tensor out);
    }

    final Tensor[] inputs;
    final Backward backward;
    final List<INDArray> saved;

    Node(Tensor[] inputs, Backward backward, List<INDArray> saved) {
        this.inputs = inputs;
        this.backward = backward;
        this.saved = saved;
    }
}
