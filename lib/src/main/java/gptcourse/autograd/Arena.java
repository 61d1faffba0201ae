package gptcourse.autograd;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Frees, when closed, every tensor computed without a graph inside it, except those passed to
 * {@link #keep}. A forward pass under {@link GradMode#inferenceMode()} makes hundreds of megabytes
 * of intermediates that nothing else refers to; without an arena they would wait for the garbage
 * collector. Opened with {@link Tensor#arena()}; used by {@code DemoTransformer.forward}; arenas
 * nest (a tensor belongs to the innermost open one), and each thread has its own.
 *
 * <pre>{@code
 * try (var scope = GradMode.inferenceMode(); var arena = Tensor.arena()) {
 *     Tensor logits = arena.keep(model.forward(tokens));   // the rest is freed at the brace
 * }
 * }</pre>
 *
 * Tensors computed with a graph are not the arena's business: {@link Tensor#backward()} frees them.
 */
public final class Arena implements AutoCloseable {
    private static final ThreadLocal<Deque<Arena>> OPEN = ThreadLocal.withInitial(ArrayDeque::new);

    private final List<Tensor> created = new ArrayList<>();
    private final Set<Tensor> kept = Collections.newSetFromMap(new IdentityHashMap<>());
    private boolean closed;

    private Arena() {
    }

    /** Opens an arena on this thread. */
    static Arena open() {
        Arena a = new Arena();
        OPEN.get().push(a);
        return a;
    }

    /** Tells the innermost open arena, if any, about a tensor computed without a graph that owns its memory. */
    static void created(Tensor t) {
        Arena arena = OPEN.get().peek();
        if (arena != null) {
            arena.created.add(t);
        }
    }

    /** Keeps {@code t} alive after the arena closes, and returns it. */
    public Tensor keep(Tensor t) {
        kept.add(t);
        LazyLinear lazy = t.lazy();
        if (lazy != null && created.stream().anyMatch(c -> c == lazy.input())) {
            // lazy logits need their input: it stays, and closing (or reading) them frees it
            kept.add(lazy.input());
            lazy.ownInput();
        }
        return t;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        OPEN.get().remove(this);
        // a kept tensor may be a view of another one's memory (a reshape): that memory stays too
        Set<Object> keptBuffers = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Tensor t : kept) {
            INDArray values = t.values();
            if (!t.isReleased() && values != null) {
                keptBuffers.add(values.data());
            }
        }
        for (Tensor t : created) {
            INDArray owner = t.memory().owner();
            if (kept.contains(t) || t.isReleased() || owner == null || keptBuffers.contains(owner.data())) {
                continue;
            }
            t.close();
        }
        created.clear();
    }
}
