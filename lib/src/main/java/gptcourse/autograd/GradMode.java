package gptcourse.autograd;

/**
 * Whether operations record a graph for {@link Tensor#backward()}. The equivalent of
 * {@code torch.no_grad()} / {@code torch.inference_mode()}:
 *
 * <pre>{@code
 * try (var scope = GradMode.inferenceMode()) {
 *     Tensor logits = model.forward(tokens);   // no graph, nothing kept for backward
 * }
 * }</pre>
 *
 * The flag is per thread, like PyTorch's, so a data-loader thread never changes the trainer's mode.
 */
public final class GradMode {
    private static final ThreadLocal<Boolean> ENABLED = ThreadLocal.withInitial(() -> Boolean.TRUE);

    private GradMode() {
    }

    /** True when new operations record what {@code backward()} needs. */
    public static boolean isEnabled() {
        return ENABLED.get();
    }

    /** Disables graph recording until the returned scope is closed; scopes nest. */
    public static Scope noGrad() {
        return set(false);
    }

    /** Same as {@link #noGrad()}; named after {@code torch.inference_mode()} used by the tutorial. */
    public static Scope inferenceMode() {
        return set(false);
    }

    /** Re-enables recording inside a no-grad scope until closed. */
    public static Scope enableGrad() {
        return set(true);
    }

    private static Scope set(boolean enabled) {
        boolean previous = ENABLED.get();
        ENABLED.set(enabled);
        return new Scope(previous);
    }

    /** Restores the previous mode when closed. */
    public static final class Scope implements AutoCloseable {
        private final boolean previous;
        private boolean closed;

        private Scope(boolean previous) {
            this.previous = previous;
        }

        @Override
        public void close() {
            if (!closed) {
                ENABLED.set(previous);
                closed = true;
            }
        }
    }
}
