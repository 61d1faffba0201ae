package gptcourse.autograd;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.shape.Gather;
import org.nd4j.linalg.api.ops.impl.transforms.custom.LogSoftMax;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.AddOp;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.DivOp;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.MulOp;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.SubOp;
import org.nd4j.linalg.api.shape.Shape;
import org.nd4j.linalg.api.ops.impl.transforms.custom.SoftMax;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * An {@link INDArray} that remembers how it was computed, so that {@link #backward()} can fill in
 * {@link #grad()} for every tensor it depends on: a small eager autograd in the style of PyTorch.
 *
 * <p>Every operation does its work in ND4J/libnd4j calls (no Java loops over elements), so the same
 * code runs on the CPU and CUDA backends. Arrays kept for the backward pass are freed as soon as
 * {@code backward()} has used them: ND4J would otherwise keep native memory until a garbage
 * collection, and a training run would climb to many gigabytes. As in PyTorch (without
 * {@code retain_graph}), a graph can therefore be walked backward only once, and intermediate
 * tensors of a graph cannot be read after its {@code backward()}; parameters, inputs and the tensor
 * {@code backward()} was called on stay readable.
 */
public final class Tensor implements AutoCloseable {
    /** Receives the gradient of a node's output and hands gradients to the node's inputs. */
    @FunctionalInterface
    interface Backward {
        void run(INDArray gradOut, Tensor out);
    }

    private static final class Node {
        final Tensor[] inputs;
        final Backward backward;
        final List<INDArray> saved;

        Node(Tensor[] inputs, Backward backward, List<INDArray> saved) {
            this.inputs = inputs;
            this.backward = backward;
            this.saved = saved;
        }
    }

    static {
        Backend.selectNatives();
    }

    private INDArray data;
    /** The array whose memory {@link #data} lives in and that this tensor frees; null for views and leaves. */
    private INDArray dataOwner;
    /** The shape, kept for the backward pass after {@link #discardData()}. */
    private long[] discardedShape;
    private boolean requiresGrad;
    private INDArray grad;
    /** The array whose memory {@link #grad} lives in and that this tensor frees; null if not ours. */
    private INDArray gradOwner;
    private Node node;
    private boolean graphFreed;
    private boolean released;
    /** Set while this tensor is {@code x @ W + b} whose values nobody has read yet (see {@link LazyLinear}). */
    private LazyLinear lazy;

    private Tensor(INDArray data, INDArray dataOwner, boolean requiresGrad, Node node) {
        this.data = data;
        this.dataOwner = dataOwner;
        this.requiresGrad = requiresGrad;
        this.node = node;
    }

    // ----------------------------------------------------------------------------------------
    // Creation and inspection

    /** A constant tensor (no gradient) around {@code data}; the array is shared, not copied. */
    public static Tensor of(INDArray data) {
        return new Tensor(requireData(data), null, false, null);
    }

    /** A leaf that collects gradients, like {@code nn.Parameter}; the array is shared, not copied. */
    public static Tensor parameter(INDArray data) {
        return new Tensor(requireData(data), null, true, null);
    }

    private static INDArray requireData(INDArray data) {
        if (data == null) {
            throw new IllegalArgumentException("Tensor data must not be null");
        }
        return data;
    }

    /**
     * {@code x @ weight + bias} (like {@link #linear}) that computes its values only when someone reads
     * them: the logits. The loss ({@link Functional#logProbsOfNextTokens}), {@link #argmax} along the last
     * dimension and {@link #slice} along another one work on it a block of rows at a time without ever
     * holding the whole array; anything else (printing, {@link #data()}, other operations) computes it
     * as {@link #linear} would, once.
     */
    public static Tensor lazyLinear(Tensor x, Tensor weight, Tensor bias) {
        checkLinearShapes(x.shape(), weight, bias);
        Tensor t = new Tensor(null, null, needsGrad(x, weight, bias), null);
        t.lazy = new LazyLinear(x, weight, bias, t.requiresGrad, null);
        return t;
    }

    /** True while this tensor's values are not computed yet (see {@link #lazyLinear}). */
    public boolean isLazy() {
        return lazy != null;
    }

    LazyLinear lazy() {
        return lazy;
    }

    boolean isReleased() {
        return released;
    }

    /** Computes the values of a lazy tensor, as the graph node {@link #linear} would have made. */
    private void materialize() {
        LazyLinear l = lazy;
        l.checkOpen();
        Tensor real;
        try (GradMode.Scope scope = l.requiresGrad() ? GradMode.enableGrad() : GradMode.noGrad()) {
            real = l.input().linear(l.weight(), l.bias());
        }
        lazy = null;
        data = real.data;
        dataOwner = real.dataOwner;
        node = real.node;
        requiresGrad = real.requiresGrad;
        real.data = null;
        real.dataOwner = null;
        real.node = null;
        real.released = true; // an arena that saw it leaves it alone: its memory is ours now
        if (node == null) {
            l.close();
        }
    }

    /** The values. Throws if the graph that produced this tensor was freed by {@code backward()}. */
    public INDArray data() {
        if (lazy != null) {
            materialize();
        }
        if (released) {
            throw new IllegalStateException("This tensor was an intermediate result of a graph whose backward() has run, "
                    + "so its memory was freed. Read what you need before calling backward(), or use detach().");
        }
        return data;
    }

    /** The accumulated gradient, or null before any backward pass (and after {@code zeroGrad()}). */
    public INDArray grad() {
        return grad;
    }

    public boolean requiresGrad() {
        return requiresGrad;
    }

    /** True for tensors not produced by a recorded operation (parameters, inputs, constants). */
    public boolean isLeaf() {
        // lazy logits made without a graph are leaves, as their values would be
        return node == null && (lazy == null || !lazy.requiresGrad());
    }

    /** Turns gradient collection on or off for a leaf tensor; returns this tensor. */
    public Tensor requiresGrad(boolean requires) {
        if (!isLeaf()) {
            throw new IllegalStateException("requiresGrad can only be changed on leaf tensors (parameters or inputs); "
                    + "use detach() to get a leaf from a computed tensor");
        }
        this.requiresGrad = requires;
        return this;
    }

    public long[] shape() {
        return lazy != null ? lazy.shape() : data().shape();
    }

    public long size(int dim) {
        long[] s = shape();
        return s[dim < 0 ? s.length + dim : dim];
    }

    public int rank() {
        return lazy != null ? lazy.shape().length : data().rank();
    }

    public long length() {
        return lazy != null ? Arrays.stream(lazy.shape()).reduce(1, (p, q) -> p * q) : data().length();
    }

    public DataType dtype() {
        return lazy != null ? lazy.input().dtype() : data().dataType();
    }

    /** The value of a one-element tensor, like {@code tensor.item()}. */
    public double item() {
        INDArray d = data();
        if (d.length() != 1) {
            throw new IllegalStateException("item() needs a tensor with one element, but this one has shape "
                    + Arrays.toString(d.shape()));
        }
        return d.getDouble(0);
    }

    /** A new leaf sharing this tensor's values, cut off from the graph. */
    public Tensor detach() {
        return new Tensor(data(), null, false, null);
    }

    /** Frees this tensor's gradient, like {@code optimizer.zero_grad(set_to_none=True)}. */
    public void zeroGrad() {
        closeQuietly(gradOwner);
        grad = null;
        gradOwner = null;
    }

    @Override
    public String toString() {
        if (released) {
            return "Tensor(released)";
        }
        return "Tensor(shape=" + Arrays.toString(data().shape()) + ", dtype=" + data.dataType()
                + (requiresGrad ? ", requiresGrad=true" : "") + ")\n" + data;
    }

    // ----------------------------------------------------------------------------------------
    // Backward

    /** Backpropagates from this one-element tensor (a loss), filling {@link #grad()} of the leaves. */
    public void backward() {
        if (data().length() != 1) {
            throw new IllegalStateException("backward() without an argument needs a one-element tensor such as a loss; "
                    + "this one has shape " + Arrays.toString(data.shape()) + ". Reduce it (e.g. mean()) or pass "
                    + "the gradient: backward(gradient)");
        }
        backward(Nd4j.onesLike(data));
    }

    /** Backpropagates {@code gradient} (same shape as this tensor) through the graph, then frees the graph. */
    public void backward(INDArray gradient) {
        if (graphFreed) {
            throw new IllegalStateException("backward() was already called through this graph and its memory was freed "
                    + "(as in PyTorch without retain_graph). Run the forward pass again.");
        }
        if (!requiresGrad) {
            throw new IllegalStateException("This tensor does not require grad: it was computed under "
                    + "GradMode.noGrad()/inferenceMode(), or only from tensors with requiresGrad=false.");
        }
        if (!Arrays.equals(gradient.shape(), data().shape())) {
            throw new IllegalArgumentException("gradient shape " + Arrays.toString(gradient.shape())
                    + " does not match the tensor shape " + Arrays.toString(data.shape()));
        }
        List<Tensor> order = topologicalOrder();
        accumulate(gradient.castTo(data.dataType()), null);
        try {
            for (int i = order.size() - 1; i >= 0; i--) {
                Tensor t = order.get(i);
                if (t.grad != null) {
                    t.node.backward.run(t.grad, t);
                }
                t.zeroGrad();
            }
        } finally {
            for (Tensor t : order) {
                t.freeGraph(t != this);
            }
            Buffers.collectOccasionally();
        }
    }

    /** Non-leaf tensors reachable from this one, each after all the tensors it depends on. */
    private List<Tensor> topologicalOrder() {
        List<Tensor> order = new ArrayList<>();
        if (node == null) {
            return order;
        }
        Set<Tensor> visited = Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        Deque<Object[]> stack = new ArrayDeque<>();
        stack.push(new Object[] {this, 0});
        visited.add(this);
        while (!stack.isEmpty()) {
            Object[] frame = stack.peek();
            Tensor t = (Tensor) frame[0];
            int next = (Integer) frame[1];
            if (next < t.node.inputs.length) {
                frame[1] = next + 1;
                Tensor in = t.node.inputs[next];
                if (in.graphFreed) {
                    throw new IllegalStateException("Part of this graph was already freed by an earlier backward(); "
                            + "recompute the forward pass instead of reusing its intermediate tensors.");
                }
                if (in.node != null && visited.add(in)) {
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
     * Frees this intermediate result's values before {@code backward()} would, to lower peak memory.
     * Only for a tensor that nothing will read again: not the caller, and not the backward pass of the
     * operations that consumed it (a matmul's backward reads its inputs, not its output; the fused
     * attention softmax reads its own output). Gradients still flow through it.
     */
    public void discardData() {
        if (node == null) {
            throw new IllegalStateException("discardData() is for intermediate results of a graph; use close() otherwise");
        }
        if (!released) {
            discardedShape = data.shape();
            releaseData();
        }
    }

    /** Frees (or recycles) the memory this tensor owns; {@link #data()} then reports the release. */
    private void releaseData() {
        closeQuietly(dataOwner);
        dataOwner = null;
        data = null;
        released = true;
    }

    private void freeGraph(boolean freeData) {
        if (node != null) {
            for (INDArray s : node.saved) {
                closeQuietly(s);
            }
        }
        node = null;
        graphFreed = true;
        if (freeData) {
            releaseData();
        }
    }

    /**
     * Adds {@code g} to this tensor's gradient. {@code owner}, if not null, is an array whose memory
     * {@code g} lives in and which is handed over: this tensor may keep {@code g} and will free owner.
     */
    void accumulate(INDArray g, INDArray owner) {
        if (!requiresGrad) {
            closeQuietly(owner);
            return;
        }
        long[] myShape = data != null ? data.shape() : discardedShape;
        if (!Arrays.equals(g.shape(), myShape)) {
            throw new IllegalStateException("internal error: gradient of shape " + Arrays.toString(g.shape())
                    + " for a tensor of shape " + Arrays.toString(myShape));
        }
        if (grad == null) {
            boolean keep = owner != null && (node != null || isPlainC(g));
            if (keep) {
                grad = g;
                gradOwner = owner;
            } else {
                grad = g.dup('c');
                gradOwner = grad;
                closeQuietly(owner);
            }
        } else {
            grad.addi(g);
            closeQuietly(owner);
        }
    }

    /** Hands the memory of this node's incoming gradient to the caller (see {@link #accumulate}). */
    INDArray takeGradOwner() {
        INDArray o = gradOwner;
        gradOwner = null;
        return o;
    }

    private static boolean isPlainC(INDArray a) {
        return a.ordering() == 'c' && a.offset() == 0 && Shape.hasDefaultStridesForShape(a);
    }

    /** Frees (or recycles, see {@link Buffers}) an array this code allocated. */
    static void closeQuietly(INDArray a) {
        Buffers.release(a);
    }

    /** Frees this tensor's values now instead of at the next garbage collection; for results computed
     *  without a graph (e.g. logits under {@link GradMode#inferenceMode()}). */
    @Override
    public void close() {
        if (node != null) {
            throw new IllegalStateException("this tensor is part of a graph that backward() still needs; "
                    + "it is freed by backward()");
        }
        if (lazy != null) {
            lazy.close();
            lazy = null;
            released = true;
        }
        if (!released) {
            releaseData();
        }
        zeroGrad();
    }

    // ----------------------------------------------------------------------------------------
    // Graph construction helpers for operations

    static boolean needsGrad(Tensor... inputs) {
        if (!GradMode.isEnabled()) {
            return false;
        }
        for (Tensor t : inputs) {
            if (t.requiresGrad) {
                return true;
            }
        }
        return false;
    }

    /** Wraps an operation's result; records {@code backward} when any input needs a gradient. */
    static Tensor result(INDArray out, INDArray outOwner, Backward backward, List<INDArray> saved, Tensor... inputs) {
        if (needsGrad(inputs)) {
            return new Tensor(out, outOwner, true, new Node(inputs, backward, saved));
        }
        for (INDArray s : saved) {
            closeQuietly(s);
        }
        Tensor t = new Tensor(out, outOwner, false, null);
        Arena arena = ARENAS.get().peek();
        if (arena != null && outOwner != null) {
            arena.created.add(t);
        }
        return t;
    }

    private static final ThreadLocal<Deque<Arena>> ARENAS = ThreadLocal.withInitial(ArrayDeque::new);

    /**
     * Frees, when closed, every tensor computed without a graph inside it, except those passed to
     * {@link #keep}. A forward pass under {@link GradMode#inferenceMode()} makes hundreds of
     * megabytes of intermediates that nothing else refers to; without an arena they would wait for
     * the garbage collector. Used by {@code DemoTransformer.forward}; arenas nest.
     */
    public static Arena arena() {
        Arena a = new Arena();
        ARENAS.get().push(a);
        return a;
    }

    /** See {@link Tensor#arena()}. */
    public static final class Arena implements AutoCloseable {
        private final List<Tensor> created = new ArrayList<>();
        private final Set<Tensor> kept = Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        private boolean closed;

        private Arena() {
        }

        /** Keeps {@code t} alive after the arena closes, and returns it. */
        public Tensor keep(Tensor t) {
            kept.add(t);
            if (t.lazy != null && created.stream().anyMatch(c -> c == t.lazy.input())) {
                // lazy logits need their input: it stays, and closing (or reading) them frees it
                kept.add(t.lazy.input());
                t.lazy.ownInput();
            }
            return t;
        }

        @Override
        public void close() {
            if (closed) {
                return;
            }
            closed = true;
            ARENAS.get().remove(this);
            Set<Object> keptBuffers = Collections.newSetFromMap(new java.util.IdentityHashMap<>());
            for (Tensor t : kept) {
                if (!t.released && t.data != null) {
                    keptBuffers.add(t.data.data());
                }
            }
            for (Tensor t : created) {
                if (kept.contains(t) || t.released || t.dataOwner == null || keptBuffers.contains(t.dataOwner.data())) {
                    continue;
                }
                t.close();
            }
            created.clear();
        }
    }

    /** For a result {@code out} that is a freshly allocated array. */
    static Tensor result(INDArray out, Backward backward, Tensor... inputs) {
        return result(out, out, backward, List.of(), inputs);
    }

    static Tensor result(INDArray out, Backward backward, List<INDArray> saved, Tensor... inputs) {
        return result(out, out, backward, saved, inputs);
    }

    /**
     * Sums a broadcast gradient {@code g} over the dimensions that broadcasting added or stretched, keeping
     * them as size 1: reshape the (new, owned) result to {@code shape} to get the input's gradient.
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

    /** Elementwise binary operations for {@link #binary}. */
    public enum Op { ADD, SUB, MUL, DIV }

    /** {@code x op y} with broadcasting, into a new (recycled) array. */
    public static INDArray binary(Op op, INDArray x, INDArray y) {
        long[] shape = Arrays.equals(x.shape(), y.shape()) ? x.shape() : Shape.broadcastOutputShape(x.shape(), y.shape());
        INDArray z = Buffers.empty(x.dataType(), shape);
        INDArray[] in = {x, y};
        INDArray[] out = {z};
        switch (op) {
            case ADD -> Nd4j.exec(new AddOp(in, out));
            case SUB -> Nd4j.exec(new SubOp(in, out));
            case MUL -> Nd4j.exec(new MulOp(in, out));
            case DIV -> Nd4j.exec(new DivOp(in, out));
            default -> throw new IllegalStateException(op.toString());
        }
        return z;
    }

    /** Gives {@code input} the gradient {@code g} (not ours to keep), summed down to the input's shape. */
    private static void reduceInto(INDArray g, Tensor input) {
        accumulateSummed(g, false, input);
    }

    /** Gives {@code input} a freshly computed gradient (ours), summed down to the input's shape. */
    private static void gradTo(INDArray fresh, Tensor input) {
        accumulateSummed(fresh, true, input);
    }

    private static void accumulateSummed(INDArray g, boolean ours, Tensor input) {
        if (!input.requiresGrad) {
            if (ours) {
                closeQuietly(g);
            }
            return;
        }
        long[] shape = input.shape();
        if (Arrays.equals(g.shape(), shape)) {
            input.accumulate(g, ours ? g : null);
        } else {
            INDArray s = sumBroadcastDims(g, shape);
            if (ours) {
                closeQuietly(g);
            }
            input.accumulate(s.reshape(shape), s);
        }
    }

    // ----------------------------------------------------------------------------------------
    // Elementwise arithmetic (with broadcasting, like PyTorch)

    public Tensor add(Tensor other) {
        Tensor a = this;
        Tensor b = other;
        return result(binary(Op.ADD, a.data(), b.data()), (g, out) -> {
            reduceInto(g, b);
            reduceInto(g, a);
        }, a, b);
    }

    public Tensor sub(Tensor other) {
        Tensor a = this;
        Tensor b = other;
        return result(binary(Op.SUB, a.data(), b.data()), (g, out) -> {
            if (b.requiresGrad) {
                gradTo(g.neg(), b);
            }
            reduceInto(g, a);
        }, a, b);
    }

    public Tensor mul(Tensor other) {
        Tensor a = this;
        Tensor b = other;
        return result(binary(Op.MUL, a.data(), b.data()), (g, out) -> {
            if (a.requiresGrad) {
                gradTo(binary(Op.MUL, g, b.data), a);
            }
            if (b.requiresGrad) {
                gradTo(binary(Op.MUL, g, a.data), b);
            }
        }, a, b);
    }

    public Tensor div(Tensor other) {
        Tensor a = this;
        Tensor b = other;
        return result(binary(Op.DIV, a.data(), b.data()), (g, out) -> {
            if (a.requiresGrad) {
                gradTo(binary(Op.DIV, g, b.data), a);
            }
            if (b.requiresGrad) {
                // d(a/b)/db = -a / b^2 = -out / b
                INDArray gb = binary(Op.MUL, g, out.data);
                Nd4j.exec(new DivOp(new INDArray[] {gb, b.data}, new INDArray[] {gb}));
                gradTo(gb.negi(), b);
            }
        }, a, b);
    }

    public Tensor add(double scalar) {
        Tensor a = this;
        INDArray out = a.data().add(scalar, Buffers.empty(a.dtype(), a.shape()));
        return result(out, (g, o) -> a.accumulate(g, o.takeGradOwner()), a);
    }

    public Tensor sub(double scalar) {
        return add(-scalar);
    }

    public Tensor mul(double scalar) {
        Tensor a = this;
        return result(a.data().mul(scalar, Buffers.empty(a.dtype(), a.shape())), (g, out) -> {
            INDArray owner = out.takeGradOwner();
            if (owner != null) {
                a.accumulate(g.muli(scalar), owner);
            } else {
                INDArray s = g.mul(scalar, Buffers.empty(g.dataType(), g.shape()));
                a.accumulate(s, s);
            }
        }, a);
    }

    public Tensor div(double scalar) {
        return mul(1.0 / scalar);
    }

    public Tensor neg() {
        return mul(-1.0);
    }

    // ----------------------------------------------------------------------------------------
    // Elementwise functions

    public Tensor exp() {
        Tensor a = this;
        return result(Transforms.exp(a.data(), true), (g, out) -> gradTo(g.mul(out.data), a), a);
    }

    public Tensor log() {
        Tensor a = this;
        return result(Transforms.log(a.data(), true), (g, out) -> gradTo(g.div(a.data), a), a);
    }

    public Tensor sqrt() {
        Tensor a = this;
        return result(Transforms.sqrt(a.data(), true), (g, out) -> gradTo(g.div(out.data).muli(0.5), a), a);
    }

    public Tensor tanh() {
        Tensor a = this;
        return result(Transforms.tanh(a.data(), true), (g, out) -> {
            INDArray d = out.data.mul(out.data).rsubi(1.0).muli(g);
            gradTo(d, a);
        }, a);
    }

    /** Raises every element to a constant power. */
    public Tensor pow(double exponent) {
        Tensor a = this;
        return result(Transforms.pow(a.data(), exponent, true), (g, out) -> {
            INDArray d = Transforms.pow(a.data, exponent - 1, true).muli(exponent).muli(g);
            gradTo(d, a);
        }, a);
    }

    // ----------------------------------------------------------------------------------------
    // Matrix products

    /**
     * Matrix product with PyTorch's {@code @} rules for the shapes the course uses: two matrices;
     * a batch {@code [..., n, k]} times a matrix {@code [k, m]}; or two batches with equal leading
     * dimensions {@code [..., n, k] x [..., k, m]}.
     */
    public Tensor matmul(Tensor other) {
        Tensor a = this;
        Tensor b = other;
        long[] as = a.shape();
        long[] bs = b.shape();
        if (as.length < 2 || bs.length < 2 || as[as.length - 1] != bs[bs.length - 2]) {
            throw new IllegalArgumentException("matmul: shapes " + Arrays.toString(as) + " and " + Arrays.toString(bs)
                    + " do not fit (need [..., n, k] and [..., k, m])");
        }
        if (bs.length == 2) {
            long k = as[as.length - 1];
            INDArray a2 = flatRows(a.data(), k);
            INDArray out2 = Nd4j.gemm(a2, b.data(), false, false);
            long[] outShape = Arrays.copyOf(as, as.length);
            outShape[as.length - 1] = bs[1];
            return result(out2.reshape(outShape), out2, (g, out) -> {
                INDArray g2 = flatRows(g, bs[1]);
                if (a.requiresGrad) {
                    INDArray ga = Nd4j.gemm(g2, b.data, false, true);
                    a.accumulate(ga.reshape(as), ga);
                }
                if (b.requiresGrad) {
                    INDArray gb = Nd4j.gemm(a2, g2, true, false);
                    b.accumulate(gb, gb);
                }
            }, List.of(), a, b);
        }
        if (as.length != bs.length || !Arrays.equals(Arrays.copyOf(as, as.length - 2), Arrays.copyOf(bs, bs.length - 2))) {
            throw new IllegalArgumentException("matmul: batch dimensions of " + Arrays.toString(as) + " and "
                    + Arrays.toString(bs) + " must be equal");
        }
        return result(batchMatmul(a.data(), b.data(), false, false), (g, out) -> {
            if (a.requiresGrad) {
                INDArray ga = batchMatmul(g, b.data, false, true);
                a.accumulate(ga, ga);
            }
            if (b.requiresGrad) {
                INDArray gb = batchMatmul(a.data, g, true, false);
                b.accumulate(gb, gb);
            }
        }, a, b);
    }

    /** Batched {@code op(a) @ op(b)} over the last two dimensions, into a new array. */
    private static INDArray batchMatmul(INDArray a, INDArray b, boolean transA, boolean transB) {
        int r = a.rank();
        long[] shape = a.shape().clone();
        shape[r - 2] = transA ? a.size(r - 1) : a.size(r - 2);
        shape[r - 1] = transB ? b.size(r - 2) : b.size(r - 1);
        INDArray out = Buffers.empty(a.dataType(), shape);
        Nd4j.matmul(a, b, out, transA, transB, false);
        return out;
    }

    /** {@code [..., k]} as a {@code [rows, k]} matrix, copying only if the layout needs it. */
    static INDArray flatRows(INDArray x, long k) {
        INDArray c = isPlainC(x) ? x : x.dup('c');
        return c.reshape('c', x.length() / k, k);
    }

    /**
     * {@code this @ weight + bias} for {@code this [..., k]}, {@code weight [k, m]}, {@code bias [m]},
     * as one GEMM {@code [x | 1] @ [W ; b]}.
     */
    public Tensor linear(Tensor weight, Tensor bias) {
        Tensor x = this;
        long[] xs = x.shape();
        long[] ws = weight.shape();
        checkLinearShapes(xs, weight, bias);
        long k = ws[0];
        long m = ws[1];
        DataType type = x.dtype();
        INDArray x2 = flatRows(x.data(), k);
        long rows = x2.rows();
        // [x | 1] @ [W ; b]: the bias rides along in the GEMM, and in the backward pass one GEMM
        // x1^T @ g gives the weight and bias gradients together (a separate column sum of the
        // 0.8 GB logits gradient would cost as much as a GEMM).
        INDArray x1 = Buffers.empty(type, rows, k + 1);
        x1.get(NDArrayIndex.all(), NDArrayIndex.interval(0, k)).assign(x2);
        x1.getColumn(k).assign(1.0);
        INDArray wb = Buffers.empty(type, k + 1, m);
        wb.get(NDArrayIndex.interval(0, k), NDArrayIndex.all()).assign(weight.data());
        wb.getRow(k).assign(bias.data());
        INDArray out2 = Buffers.empty(type, rows, m);
        Nd4j.gemm(x1, wb, out2, false, false, 1.0, 0.0);
        long[] outShape = Arrays.copyOf(xs, xs.length);
        outShape[xs.length - 1] = m;
        return result(out2.reshape(outShape), out2, (g, out) -> {
            INDArray g2 = flatRows(g, m);
            if (x.requiresGrad) {
                INDArray gx = Buffers.empty(type, rows, k);
                Nd4j.gemm(g2, weight.data, gx, false, true, 1.0, 0.0);
                x.accumulate(gx.reshape(xs), gx);
            }
            if (weight.requiresGrad || bias.requiresGrad) {
                INDArray gwb = Buffers.empty(type, k + 1, m);
                Nd4j.gemm(x1, g2, gwb, true, false, 1.0, 0.0);
                bias.accumulate(gwb.getRow(k).reshape(m), null);
                weight.accumulate(gwb.get(NDArrayIndex.interval(0, k), NDArrayIndex.all()), gwb);
            }
        }, List.of(x1, wb), x, weight, bias);
    }

    static void checkLinearShapes(long[] xs, Tensor weight, Tensor bias) {
        long[] ws = weight.shape();
        if (xs.length < 1 || ws.length != 2 || xs[xs.length - 1] != ws[0]) {
            throw new IllegalArgumentException("linear: input " + Arrays.toString(xs) + " and weight "
                    + Arrays.toString(ws) + " do not fit (need [..., k] and [k, m])");
        }
        if (bias.rank() != 1 || bias.size(0) != ws[1]) {
            throw new IllegalArgumentException("linear: bias must have shape [" + ws[1] + "], got "
                    + Arrays.toString(bias.shape()));
        }
    }

    // ----------------------------------------------------------------------------------------
    // Shapes

    /** Same values in a new shape (one dimension may be -1). A view when the layout allows. */
    public Tensor reshape(long... newShape) {
        Tensor a = this;
        long[] inShape = a.shape();
        boolean copy = !isPlainC(a.data());
        INDArray base = copy ? a.data().dup('c') : a.data();
        INDArray out = base.reshape('c', newShape);
        return result(out, copy ? base : null, (g, o) -> {
            if (isPlainC(g)) {
                a.accumulate(g.reshape('c', inShape), o.takeGradOwner());
            } else {
                INDArray c = g.dup('c');
                a.accumulate(c.reshape('c', inShape), c);
            }
        }, List.of(), a);
    }

    /** Repeats size-1 or missing leading dimensions to {@code shape}, like {@code tensor.expand(shape)}. */
    public Tensor expand(long... shape) {
        Tensor a = this;
        long[] in = a.shape();
        if (in.length > shape.length) {
            throw new IllegalArgumentException("expand: cannot expand shape " + Arrays.toString(in) + " to fewer dimensions "
                    + Arrays.toString(shape));
        }
        long[] padded = new long[shape.length];
        Arrays.fill(padded, 1);
        System.arraycopy(in, 0, padded, shape.length - in.length, in.length);
        INDArray src = Arrays.equals(padded, in) ? a.data() : flatRows(a.data(), 1).reshape(padded);
        return result(broadcastTo(src, shape), (g, o) -> reduceInto(g, a), a);
    }

    /** {@code x} repeated along its size-1 dimensions to {@code shape}, into a new array. (A broadcasting
     *  add onto zeros: libnd4j's own broadcast/broadcast_to is about 70x slower here.) */
    static INDArray broadcastTo(INDArray x, long[] shape) {
        INDArray z = Buffers.empty(x.dataType(), shape);
        z.assign(0);
        Nd4j.exec(new AddOp(new INDArray[] {z, x}, new INDArray[] {z}));
        return z;
    }

    /** The same values laid out row-major in their own memory (this tensor itself if already so). */
    public Tensor contiguous() {
        Tensor a = this;
        if (isPlainC(a.data()) && a.data.length() == a.data.data().length()) {
            return a;
        }
        INDArray out = Buffers.empty(a.dtype(), a.shape());
        out.assign(a.data);
        return result(out, (g, o) -> a.accumulate(g, o.takeGradOwner()), a);
    }

    /** Reorders dimensions (a view), like {@code tensor.permute(dims)}. */
    public Tensor permute(int... dims) {
        Tensor a = this;
        if (dims.length != a.rank()) {
            throw new IllegalArgumentException("permute: need " + a.rank() + " dimensions, got " + Arrays.toString(dims));
        }
        int[] inverse = new int[dims.length];
        for (int i = 0; i < dims.length; i++) {
            inverse[dims[i]] = i;
        }
        return result(a.data().permute(dims), null, (g, o) -> a.accumulate(g.permute(inverse), o.takeGradOwner()), List.of(), a);
    }

    /** Swaps two dimensions (negative indices count from the end). */
    public Tensor transpose(int dim0, int dim1) {
        int r = rank();
        int[] perm = new int[r];
        for (int i = 0; i < r; i++) {
            perm[i] = i;
        }
        int d0 = dim0 < 0 ? r + dim0 : dim0;
        int d1 = dim1 < 0 ? r + dim1 : dim1;
        perm[d0] = d1;
        perm[d1] = d0;
        return permute(perm);
    }

    /** Elements {@code start} (inclusive) to {@code end} (exclusive) along {@code dim}, like {@code x[:, start:end]}. */
    public Tensor slice(int dim, long start, long end) {
        Tensor a = this;
        int d = dim < 0 ? a.rank() + dim : dim;
        long[] inShape = a.shape();
        if (d < 0 || d >= inShape.length || start < 0 || end > inShape[d] || start >= end) {
            throw new IllegalArgumentException("slice: cannot take [" + start + ", " + end + ") of dimension " + dim
                    + " of a tensor with shape " + Arrays.toString(inShape));
        }
        if (a.lazy != null && d != inShape.length - 1) {
            // rows of x @ W + b are x's rows times W: slice x, stay lazy
            LazyLinear l = a.lazy;
            l.checkOpen();
            Tensor t = new Tensor(null, null, a.requiresGrad, null);
            t.lazy = new LazyLinear(l.input().slice(d, start, end), l.weight(), l.bias(), a.requiresGrad, a);
            return t;
        }
        INDArrayIndex[] idx = sliceIndex(inShape.length, d, start, end);
        return result(a.data().get(idx), null, (g, o) -> {
            INDArray full = Nd4j.zeros(g.dataType(), inShape);
            full.get(idx).assign(g);
            a.accumulate(full, full);
        }, List.of(), a);
    }

    static INDArrayIndex[] sliceIndex(int rank, int dim, long start, long end) {
        INDArrayIndex[] idx = new INDArrayIndex[rank];
        for (int i = 0; i < rank; i++) {
            idx[i] = i == dim ? NDArrayIndex.interval(start, end) : NDArrayIndex.all();
        }
        return idx;
    }

    // ----------------------------------------------------------------------------------------
    // Reductions

    /** Sum over {@code dims} (negative indices count from the end); all elements when none are given. */
    public Tensor sum(boolean keepDim, int... dims) {
        return reduce(false, keepDim, dims);
    }

    /** Sum of all elements, as a one-element tensor. */
    public Tensor sum() {
        return reduce(false, false);
    }

    public Tensor mean(boolean keepDim, int... dims) {
        return reduce(true, keepDim, dims);
    }

    /** Mean of all elements, as a one-element tensor. */
    public Tensor mean() {
        return reduce(true, false);
    }

    private Tensor reduce(boolean mean, boolean keepDim, int... dims) {
        Tensor a = this;
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
        return result(out, (g, o) -> {
            INDArray expanded = broadcastTo(g.reshape(keptShape), inShape);
            if (scale != 1.0) {
                expanded.muli(scale);
            }
            a.accumulate(expanded, expanded);
        }, a);
    }

    private static int[] normalizeDims(int[] dims, int rank) {
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

    /** Index of the largest value along {@code dim} (no gradient), like {@code tensor.argmax(dim)}. */
    public INDArray argmax(int dim) {
        int d = dim < 0 ? rank() + dim : dim;
        if (lazy != null && d == rank() - 1) {
            return lazy.argmaxLast();
        }
        return data().argMax(d);
    }

    // ----------------------------------------------------------------------------------------
    // Softmax family (over the last dimension)

    /** Softmax over the last dimension. */
    public Tensor softmax() {
        Tensor a = this;
        INDArray out = Buffers.empty(a.dtype(), a.shape());
        Nd4j.exec(new SoftMax(a.data(), out, a.rank() - 1));
        return result(out, (g, o) -> {
            INDArray gx = softmaxBackward(o.data, g, 1.0);
            a.accumulate(gx, gx);
        }, a);
    }

    /** {@code scale * y * (g - sum(g * y, -1))}: the gradient through {@code y = softmax(x)} (last dim). */
    static INDArray softmaxBackward(INDArray y, INDArray g, double scale) {
        INDArray gy = binary(Op.MUL, g, y);
        INDArray s = gy.sum(true, y.rank() - 1);
        if (scale != 1.0) {
            s.muli(scale);
            gy.muli(scale);
        }
        INDArray sy = binary(Op.MUL, y, s);
        gy.subi(sy);
        closeQuietly(sy);
        s.close();
        return gy;
    }

    /** Log-softmax over the last dimension. */
    public Tensor logSoftmax() {
        Tensor a = this;
        INDArray out = Nd4j.createUninitialized(a.dtype(), a.shape());
        Nd4j.exec(new LogSoftMax(a.data(), out));
        return result(out, (g, o) -> {
            INDArray y = o.data;
            INDArray s = g.sum(true, y.rank() - 1);
            INDArray e = Transforms.exp(y, true);
            INDArray d = binary(Op.MUL, e, s);
            e.close();
            s.close();
            d.rsubi(g);
            a.accumulate(d, d);
        }, a);
    }

    /**
     * Replaces the elements where {@code mask} is true (non-zero) by {@code value}, like
     * {@code masked_fill}. The mask broadcasts against this tensor (e.g. a {@code [q, k]} causal mask
     * against {@code [batch, heads, q, k]} scores).
     */
    public Tensor maskedFill(INDArray mask, double value) {
        Tensor a = this;
        // castTo returns the same array when the type already matches: copy, since m is changed below.
        INDArray m = mask.dataType() == a.dtype() ? mask.dup() : mask.castTo(a.dtype());
        INDArray keep = m.rsub(1.0);
        INDArray out = a.data().mul(keep).addi(m.muli(value));
        m.close();
        return result(out, (g, o) -> gradTo(g.mul(keep), a), List.of(keep), a);
    }

    // ----------------------------------------------------------------------------------------
    // Indexing

    /**
     * Rows of this {@code [n, d]} matrix picked by integer {@code indices} of any shape, giving
     * {@code indices.shape + [d]}: an embedding lookup, like {@code W_E[tokens]}. The backward pass
     * sums the gradients of repeated indices.
     */
    public Tensor gatherRows(INDArray indices) {
        Tensor w = this;
        if (w.rank() != 2) {
            throw new IllegalArgumentException("gatherRows needs a [rows, columns] matrix, got " + Arrays.toString(w.shape()));
        }
        long n = w.size(0);
        INDArray flat = indices.castTo(DataType.INT64).reshape(indices.length());
        checkIndexRange(flat, n, "gatherRows");
        INDArray rows = Nd4j.exec(new Gather(w.data(), flat, 0))[0];
        long[] outShape = Arrays.copyOf(indices.shape(), indices.rank() + 1);
        outShape[indices.rank()] = w.size(1);
        return result(rows.reshape(outShape), rows, (g, o) -> {
            // scatter_add sums repeated indices; libnd4j's gather backward overwrites them, and its
            // unsorted_segment_sum leaks an output-sized buffer on every call (1.0.0-M2.1).
            INDArray g2 = flatRows(g, w.size(1));
            INDArray gw = Buffers.zeros(g.dataType(), n, w.size(1));
            scatterAddInPlace(gw, flat, g2);
            w.accumulate(gw, gw);
        }, List.of(), w);
    }

    /**
     * For {@code this [..., v]} and integer {@code indices [...]}, the element at each index along the last
     * dimension: {@code x.gather(-1, indices.unsqueeze(-1)).squeeze(-1)} in PyTorch.
     */
    public Tensor gatherLast(INDArray indices) {
        Tensor a = this;
        long[] s = a.shape();
        long v = s[s.length - 1];
        if (!Arrays.equals(indices.shape(), Arrays.copyOf(s, s.length - 1))) {
            throw new IllegalArgumentException("gatherLast: indices of shape " + Arrays.toString(indices.shape())
                    + " do not match " + Arrays.toString(Arrays.copyOf(s, s.length - 1)));
        }
        INDArray flatIdx = flatIndexLast(indices, v);
        INDArray flatData = flatRows(a.data(), v).reshape(a.length());
        INDArray gathered = Nd4j.exec(new Gather(flatData, flatIdx, 0))[0];
        return result(gathered.reshape(indices.shape()), gathered, (g, o) -> {
            INDArray full = Nd4j.zeros(g.dataType(), a.length());
            scatterAddInPlace(full, flatIdx, g.reshape(g.length()));
            INDArray shaped = full.reshape(s);
            a.accumulate(shaped, full);
        }, List.of(flatIdx), a);
    }

    /**
     * {@code ref[indices[i]] += updates[i]}, written into {@code ref} itself. The op's {@code lock}
     * flag is set: without it libnd4j M2.1 adds repeated indices from several threads at once and
     * loses updates (a repeated token's embedding gradient came out wrong by whole units).
     */
    static void scatterAddInPlace(INDArray ref, INDArray indices, INDArray updates) {
        Nd4j.exec(org.nd4j.linalg.api.ops.DynamicCustomOp.builder("scatter_add")
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
