package gptcourse.autograd;

import java.util.Arrays;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * An {@link INDArray} that remembers how it was computed, so that {@link #backward()} can fill in
 * {@link #grad()} for every tensor it depends on: a small eager autograd in the style of PyTorch
 * (and of micrograd, whose {@code Value} it generalises from numbers to arrays).
 *
 * <p>How it is organised, for a reader of the library:
 * <ul>
 *   <li>This class holds a tensor's state (the {@link Node} that computed it, whether it needs a
 *       gradient, its {@link TensorMemory}: values, gradient and which arrays it frees) and the public
 *       operations, each of which is implemented by one family of operations:
 *       {@link Elementwise}, {@link Reductions}, {@link Shapes}, {@link MatMul}, {@link Indexing},
 *       {@link SoftmaxOps}, and the fused transformer operations in {@link Functional}.</li>
 *   <li>An operation computes its output and, when a gradient is needed, records a backward function
 *       that maps the output's gradient to its inputs' gradients ({@link Node.Backward}, through
 *       {@link Recording}).</li>
 *   <li>{@link Backprop} walks the graph backwards, calls those functions and adds up the gradients
 *       that reach each tensor: it alone stores gradients and frees them.</li>
 *   <li>{@link Arena} frees the intermediates of a forward pass without a graph.</li>
 * </ul>
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
    static {
        Backend.selectNatives();
    }

    /** The values and the gradient, and which of their arrays this tensor frees. */
    private final TensorMemory memory;
    private boolean requiresGrad;
    private Node node;
    private boolean graphFreed;
    /** Set while this tensor is {@code x @ W + b} whose values nobody has read yet (see {@link LazyLinear}). */
    private LazyLinear lazy;

    /** For {@link Recording}: values {@code data} in {@code dataOwner}'s memory (null: not ours to free). */
    Tensor(INDArray data, INDArray dataOwner, boolean requiresGrad, Node node) {
        this.memory = new TensorMemory(data, dataOwner);
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
        MatMul.checkLinearShapes(x.shape(), weight, bias);
        return lazy(new LazyLinear(x, weight, bias, Recording.needsGrad(x, weight, bias), null));
    }

    /** A tensor whose values are {@code l}'s, computed when read. */
    static Tensor lazy(LazyLinear l) {
        Tensor t = new Tensor(null, null, l.requiresGrad(), null);
        t.lazy = l;
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
        return memory.isReleased();
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
        memory.adopt(real.memory); // an arena that saw real leaves it alone: released, its memory is ours now
        node = real.node;
        requiresGrad = real.requiresGrad;
        real.node = null;
        if (node == null) {
            l.close();
        }
    }

    /** The values. Throws if the graph that produced this tensor was freed by {@code backward()}. */
    public INDArray data() {
        if (lazy != null) {
            materialize();
        }
        if (memory.isReleased()) {
            throw new IllegalStateException("This tensor was an intermediate result of a graph whose backward() has run, "
                    + "so its memory was freed. Read what you need before calling backward(), or use detach().");
        }
        return memory.values();
    }

    /** The values as they are, without {@link #data()}'s checks: for backward functions and the arena. */
    INDArray values() {
        return memory.values();
    }

    /** The memory this tensor owns (values and gradient); for {@link Backprop} and {@link Arena}. */
    TensorMemory memory() {
        return memory;
    }

    /** The accumulated gradient, or null before any backward pass (and after {@code zeroGrad()}). */
    public INDArray grad() {
        return memory.grad();
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
        memory.zeroGrad();
    }

    @Override
    public String toString() {
        if (memory.isReleased()) {
            return "Tensor(released)";
        }
        INDArray d = data();
        return "Tensor(shape=" + Arrays.toString(d.shape()) + ", dtype=" + d.dataType()
                + (requiresGrad ? ", requiresGrad=true" : "") + ")\n" + d;
    }

    // ----------------------------------------------------------------------------------------
    // Backward (the engine is Backprop; these hold its per-tensor state)

    /** Backpropagates from this one-element tensor (a loss), filling {@link #grad()} of the leaves. */
    public void backward() {
        Backprop.fromLoss(this);
    }

    /** Backpropagates {@code gradient} (same shape as this tensor) through the graph, then frees the graph. */
    public void backward(INDArray gradient) {
        Backprop.from(this, gradient);
    }

    Node node() {
        return node;
    }

    boolean isGraphFreed() {
        return graphFreed;
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
        memory.discard();
    }

    /** After {@code backward()}: frees what the node saved, and this tensor's values if {@code freeData}. */
    void freeGraph(boolean freeData) {
        if (node != null) {
            for (INDArray s : node.saved) {
                Buffers.release(s);
            }
        }
        node = null;
        graphFreed = true;
        if (freeData) {
            memory.release();
        }
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
        }
        if (!memory.isReleased()) {
            memory.release();
        }
        zeroGrad();
    }

    // ----------------------------------------------------------------------------------------
    // Forward passes without a graph

    /**
     * Opens an {@link Arena}: tensors computed without a graph until it closes are freed then, except
     * those it {@linkplain Arena#keep keeps}. Arenas nest.
     */
    public static Arena arena() {
        return Arena.open();
    }

    // ----------------------------------------------------------------------------------------
    // Elementwise arithmetic (with broadcasting, like PyTorch) and functions: see Elementwise

    public Tensor add(Tensor other) {
        return Elementwise.add(this, other);
    }

    public Tensor sub(Tensor other) {
        return Elementwise.sub(this, other);
    }

    public Tensor mul(Tensor other) {
        return Elementwise.mul(this, other);
    }

    public Tensor div(Tensor other) {
        return Elementwise.div(this, other);
    }

    public Tensor add(double scalar) {
        return Elementwise.add(this, scalar);
    }

    public Tensor sub(double scalar) {
        return add(-scalar);
    }

    public Tensor mul(double scalar) {
        return Elementwise.mul(this, scalar);
    }

    public Tensor div(double scalar) {
        return mul(1.0 / scalar);
    }

    public Tensor neg() {
        return mul(-1.0);
    }

    public Tensor exp() {
        return Elementwise.exp(this);
    }

    public Tensor log() {
        return Elementwise.log(this);
    }

    public Tensor sqrt() {
        return Elementwise.sqrt(this);
    }

    public Tensor tanh() {
        return Elementwise.tanh(this);
    }

    /** Raises every element to a constant power. */
    public Tensor pow(double exponent) {
        return Elementwise.pow(this, exponent);
    }

    // ----------------------------------------------------------------------------------------
    // Matrix products: see MatMul

    /**
     * Matrix product with PyTorch's {@code @} rules for the shapes the course uses: two matrices;
     * a batch {@code [..., n, k]} times a matrix {@code [k, m]}; or two batches with equal leading
     * dimensions {@code [..., n, k] x [..., k, m]}.
     */
    public Tensor matmul(Tensor other) {
        return MatMul.matmul(this, other);
    }

    /**
     * {@code this @ weight + bias} for {@code this [..., k]}, {@code weight [k, m]}, {@code bias [m]},
     * as one GEMM {@code [x | 1] @ [W ; b]}.
     */
    public Tensor linear(Tensor weight, Tensor bias) {
        return MatMul.linear(this, weight, bias);
    }

    // ----------------------------------------------------------------------------------------
    // Shapes: see Shapes

    /** Same values in a new shape (one dimension may be -1). A view when the layout allows. */
    public Tensor reshape(long... newShape) {
        return Shapes.reshape(this, newShape);
    }

    /** Repeats size-1 or missing leading dimensions to {@code shape}, like {@code tensor.expand(shape)}. */
    public Tensor expand(long... shape) {
        return Shapes.expand(this, shape);
    }

    /** The same values laid out row-major in their own memory (this tensor itself if already so). */
    public Tensor contiguous() {
        return Shapes.contiguous(this);
    }

    /** Reorders dimensions (a view), like {@code tensor.permute(dims)}. */
    public Tensor permute(int... dims) {
        return Shapes.permute(this, dims);
    }

    /** Swaps two dimensions (negative indices count from the end). */
    public Tensor transpose(int dim0, int dim1) {
        return Shapes.transpose(this, dim0, dim1);
    }

    /** Elements {@code start} (inclusive) to {@code end} (exclusive) along {@code dim}, like {@code x[:, start:end]}. */
    public Tensor slice(int dim, long start, long end) {
        return Shapes.slice(this, dim, start, end);
    }

    // ----------------------------------------------------------------------------------------
    // Reductions: see Reductions

    /** Sum over {@code dims} (negative indices count from the end); all elements when none are given. */
    public Tensor sum(boolean keepDim, int... dims) {
        return Reductions.reduce(this, false, keepDim, dims);
    }

    /** Sum of all elements, as a one-element tensor. */
    public Tensor sum() {
        return Reductions.reduce(this, false, false);
    }

    public Tensor mean(boolean keepDim, int... dims) {
        return Reductions.reduce(this, true, keepDim, dims);
    }

    /** Mean of all elements, as a one-element tensor. */
    public Tensor mean() {
        return Reductions.reduce(this, true, false);
    }

    /** Index of the largest value along {@code dim} (no gradient), like {@code tensor.argmax(dim)}. */
    public INDArray argmax(int dim) {
        return Reductions.argmax(this, dim);
    }

    // ----------------------------------------------------------------------------------------
    // Softmax family (over the last dimension): see SoftmaxOps

    /** Softmax over the last dimension. */
    public Tensor softmax() {
        return SoftmaxOps.softmax(this);
    }

    /** Log-softmax over the last dimension. */
    public Tensor logSoftmax() {
        return SoftmaxOps.logSoftmax(this);
    }

    /**
     * Replaces the elements where {@code mask} is true (non-zero) by {@code value}, like
     * {@code masked_fill}. The mask broadcasts against this tensor (e.g. a {@code [q, k]} causal mask
     * against {@code [batch, heads, q, k]} scores).
     */
    public Tensor maskedFill(INDArray mask, double value) {
        return SoftmaxOps.maskedFill(this, mask, value);
    }

    // ----------------------------------------------------------------------------------------
    // Indexing: see Indexing

    /**
     * Rows of this {@code [n, d]} matrix picked by integer {@code indices} of any shape, giving
     * {@code indices.shape + [d]}: an embedding lookup, like {@code W_E[tokens]}. The backward pass
     * sums the gradients of repeated indices.
     */
    public Tensor gatherRows(INDArray indices) {
        return Indexing.gatherRows(this, indices);
    }

    /**
     * For {@code this [..., v]} and integer {@code indices [...]}, the element at each index along the last
     * dimension: {@code x.gather(-1, indices.unsqueeze(-1)).squeeze(-1)} in PyTorch.
     */
    public Tensor gatherLast(INDArray indices) {
        return Indexing.gatherLast(this, indices);
    }
}
