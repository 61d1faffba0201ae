package gptcourse.autograd;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The backward pass, {@link Tensor#backward()}: the engine of the autograd, as in micrograd's
 * {@code Value.backward}.
 *
 * <ol>
 *   <li>Sort the graph's tensors so that each comes after every tensor it was computed from.</li>
 *   <li>Give the tensor {@code backward()} was called on its gradient (1 for a loss).</li>
 *   <li>Walk the order backwards. Each tensor's gradient is complete when it is reached (everything
 *       that used it came later in the forward order, so earlier here); its operation's backward
 *       function turns it into its inputs' gradients ({@link Node.Backward}), which are added to
 *       whatever those inputs already received. The tensor's own gradient is then freed: only
 *       leaves (parameters) keep theirs.</li>
 *   <li>Free the arrays the graph kept (PyTorch without {@code retain_graph}).</li>
 * </ol>
 *
 * <p>This class is the only one that stores gradients, so it alone decides which arrays are kept and
 * which are freed: an operation never writes into another tensor. To avoid copying the large arrays of
 * a training step, a gradient that arrives in memory nobody else uses ({@link Grad}) becomes the
 * input's gradient as it is; later contributions are added into it.
 */
final class Backprop {
    private Backprop() {
    }

    /** {@link Tensor#backward()}: from a one-element tensor such as a loss, with a gradient of 1. */
    static void fromLoss(Tensor root) {
        INDArray d = root.data();
        if (d.length() != 1) {
            throw new IllegalStateException("backward() without an argument needs a one-element tensor such as a loss; "
                    + "this one has shape " + Arrays.toString(d.shape()) + ". Reduce it (e.g. mean()) or pass "
                    + "the gradient: backward(gradient)");
        }
        from(root, Nd4j.onesLike(d));
    }

    /** {@link Tensor#backward(INDArray)}: checks that the graph can be walked with {@code gradient}, then walks it. */
    static void from(Tensor root, INDArray gradient) {
        if (root.isGraphFreed()) {
            throw new IllegalStateException("backward() was already called through this graph and its memory was freed "
                    + "(as in PyTorch without retain_graph). Run the forward pass again.");
        }
        if (!root.requiresGrad()) {
            throw new IllegalStateException("This tensor does not require grad: it was computed under "
                    + "GradMode.noGrad()/inferenceMode(), or only from tensors with requiresGrad=false.");
        }
        if (!Arrays.equals(gradient.shape(), root.data().shape())) {
            throw new IllegalArgumentException("gradient shape " + Arrays.toString(gradient.shape())
                    + " does not match the tensor shape " + Arrays.toString(root.data().shape()));
        }
        run(root, gradient);
    }

    /** Backpropagates {@code gradient} (already checked against {@code root}'s shape) from {@code root}. */
    private static void run(Tensor root, INDArray gradient) {
        List<Tensor> order = topologicalOrder(root);
        receive(root, gradient.castTo(root.values().dataType()), null, false);
        try {
            for (int i = order.size() - 1; i >= 0; i--) {
                Tensor t = order.get(i);
                if (t.memory().grad() != null) {
                    distribute(t, t.node().backward.apply(t.memory().grad(), t));
                }
                t.zeroGrad();
            }
        } finally {
            for (Tensor t : order) {
                t.freeGraph(t != root);
            }
            NativeGarbage.collectOccasionally();
        }
    }

    /** Tensors computed by recorded operations that {@code root} depends on, each after all it depends on. */
    static List<Tensor> topologicalOrder(Tensor root) {
        List<Tensor> order = new ArrayList<>();
        if (root.node() == null) {
            return order;
        }
        Set<Tensor> visited = Collections.newSetFromMap(new IdentityHashMap<>());
        // depth-first, with an explicit stack: a deep model's graph would overflow the call stack
        Deque<Object[]> stack = new ArrayDeque<>();
        stack.push(new Object[] {root, 0});
        visited.add(root);
        while (!stack.isEmpty()) {
            Object[] frame = stack.peek();
            Tensor t = (Tensor) frame[0];
            int next = (Integer) frame[1];
            Tensor[] inputs = t.node().inputs;
            if (next < inputs.length) {
                frame[1] = next + 1;
                Tensor in = inputs[next];
                if (in.isGraphFreed()) {
                    throw new IllegalStateException("Part of this graph was already freed by an earlier backward(); "
                            + "recompute the forward pass instead of reusing its intermediate tensors.");
                }
                if (in.node() != null && visited.add(in)) {
                    stack.push(new Object[] {in, 0});
                }
            } else {
                stack.pop();
                order.add(t);
            }
        }
        return order;
    }

    /**
     * Adds the gradients one operation returned to its inputs, then frees the memory none of them kept.
     * The memory of the output's own gradient is left to the caller unless an input kept it.
     */
    private static void distribute(Tensor out, Grad[] grads) {
        Tensor[] inputs = out.node().inputs;
        if (grads.length != inputs.length) {
            throw new IllegalStateException("internal error: " + grads.length + " gradients for " + inputs.length + " inputs");
        }
        INDArray gOut = out.memory().grad();
        Set<INDArray> handed = Collections.newSetFromMap(new IdentityHashMap<>());
        Set<INDArray> kept = Collections.newSetFromMap(new IdentityHashMap<>());
        for (int i = 0; i < grads.length; i++) {
            Grad grad = grads[i];
            if (grad == null) {
                continue;
            }
            INDArray memory = grad.memory() == gOut ? out.memory().gradMemory() : grad.memory();
            if (memory != null) {
                handed.add(memory);
            }
            Tensor in = inputs[i];
            if (!in.requiresGrad()) {
                continue;
            }
            INDArray value = grad.value();
            long[] shape = in.memory().gradShape();
            if (!Arrays.equals(value.shape(), shape)) {
                if (!broadcastsTo(shape, value.shape())) {
                    throw new IllegalStateException("internal error: the backward function of an operation returned a "
                            + "gradient of shape " + Arrays.toString(value.shape()) + " for its input " + i
                            + " of shape " + Arrays.toString(shape));
                }
                // a broadcast operand: its gradient is the sum over the positions it was repeated to
                INDArray summed = sumBroadcastDims(value, shape);
                handed.add(summed);
                value = summed.reshape(shape);
                memory = summed;
            }
            boolean mayKeep = memory != null && !kept.contains(memory);
            if (receive(in, value, memory, mayKeep)) {
                kept.add(memory);
            }
        }
        if (kept.contains(out.memory().gradMemory())) {
            out.memory().giveUpGradMemory();
        }
        for (INDArray memory : handed) {
            if (!kept.contains(memory) && memory != out.memory().gradMemory()) {
                Buffers.release(memory);
            }
        }
    }

    /**
     * Adds {@code value} to {@code t}'s gradient. When {@code mayKeep}, {@code value} lives in
     * {@code memory}, which nothing else uses: if {@code t} has no gradient yet, it keeps {@code value}
     * as it is (a leaf only if it is a plain row-major array, since optimizers read it) and this
     * returns true. Otherwise the gradient is a copy, or the sum.
     */
    private static boolean receive(Tensor t, INDArray value, INDArray memory, boolean mayKeep) {
        long[] shape = t.memory().gradShape();
        if (!Arrays.equals(value.shape(), shape)) {
            throw new IllegalStateException("internal error: gradient of shape " + Arrays.toString(value.shape())
                    + " for a tensor of shape " + Arrays.toString(shape));
        }
        INDArray grad = t.memory().grad();
        if (grad != null) {
            grad.addi(value);
            return false;
        }
        if (mayKeep && (t.node() != null || Layouts.fromBufferStart(value))) {
            t.memory().setGrad(value, memory);
            return true;
        }
        INDArray copy = value.dup('c');
        t.memory().setGrad(copy, copy);
        return false;
    }

    /**
     * Sums a broadcast gradient {@code g} over the dimensions that broadcasting added or stretched, keeping
     * them as size 1: reshape the (new) result to {@code shape} to get the operand's gradient.
     */
    static INDArray sumBroadcastDims(INDArray g, long[] shape) {
        long[] gs = g.shape();
        int lead = gs.length - shape.length;
        List<Integer> dims = new ArrayList<>();
        for (int i = 0; i < gs.length; i++) {
            if (i < lead || (shape[i - lead] == 1 && gs[i] != 1)) {
                dims.add(i);
            }
        }
        return g.sum(true, dims.stream().mapToInt(Integer::intValue).toArray());
    }

    /** Whether an array of shape {@code from} broadcasts (PyTorch's rules) to shape {@code to}. */
    static boolean broadcastsTo(long[] from, long[] to) {
        if (from.length > to.length) {
            return false;
        }
        int lead = to.length - from.length;
        for (int i = 0; i < from.length; i++) {
            if (from[i] != 1 && from[i] != to[lead + i]) {
                return false;
            }
        }
        return true;
    }
}
