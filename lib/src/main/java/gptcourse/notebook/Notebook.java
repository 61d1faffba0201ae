package gptcourse.notebook;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;

/**
 * Shows things in the notebook the code runs in, if any: the course kernel or a real IJava
 * install (both built on jupyter-jvm-basekernel). The library does not depend on either kernel,
 * so it finds their {@code display}/{@code updateDisplay} functions by name; outside a notebook
 * {@link #active()} is false and nothing is shown.
 */
public final class Notebook {

    /** The kernels' static display functions, in the order tried. */
    private static final String[] DISPLAY_CLASSES = {"gptcourse.kernel.Display",
            "io.github.spencerpark.ijava.runtime.Display"};

    /** Depth of {@link #withoutDisplay} scopes on each thread. */
    private static final ThreadLocal<int[]> HIDDEN = ThreadLocal.withInitial(() -> new int[1]);

    private Notebook() {
    }

    /**
     * Runs {@code work} on this thread as if outside a notebook: {@link #active()} is false, so
     * charts, tables and progress bars print or write files instead of showing. The course's
     * self-checks ({@code gptcourse.grading}) run a student's training code this way, so a check
     * leaves one line per result in the notebook, not a chart.
     */
    public static <T> T withoutDisplay(java.util.function.Supplier<T> work) {
        int[] depth = HIDDEN.get();
        depth[0]++;
        try {
            return work.get();
        } finally {
            depth[0]--;
        }
    }

    /** @return true when running inside a Jupyter kernel that can show outputs */
    public static boolean active() {
        return kernelDisplay() != null;
    }

    /**
     * Shows {@code value} as a new output of the running cell.
     *
     * @return its display id for {@link #update}, or null outside a notebook
     */
    public static String display(Object value) {
        KernelDisplay d = kernelDisplay();
        return d == null ? null : d.display(value);
    }

    /** Replaces the output {@code id} (from {@link #display}) with {@code value}; no-op for a null id. */
    public static void update(String id, Object value) {
        KernelDisplay d = kernelDisplay();
        if (d != null && id != null) {
            d.update(id, value);
        }
    }

    private record KernelDisplay(Method display, Method update) {
        String display(Object value) {
            return (String) call(display, value);
        }

        void update(String id, Object value) {
            call(update, id, value);
        }

        private static Object call(Method m, Object... args) {
            try {
                return m.invoke(null, args);
            } catch (InvocationTargetException e) {
                Throwable cause = e.getCause();
                if (cause instanceof RuntimeException r) {
                    throw r;
                }
                throw new IllegalStateException("the notebook could not show an output: " + cause, cause);
            } catch (IllegalAccessException e) {
                throw new IllegalStateException("the kernel's display function is not accessible", e);
            }
        }
    }

    /** The first kernel whose display functions are loaded and that is running now, or null. */
    private static KernelDisplay kernelDisplay() {
        if (HIDDEN.get()[0] > 0) {
            return null;
        }
        for (String name : DISPLAY_CLASSES) {
            try {
                Class<?> c = Class.forName(name, true, contextLoader());
                KernelDisplay d = new KernelDisplay(c.getMethod("display", Object.class),
                        c.getMethod("updateDisplay", String.class, Object.class));
                if (running(name)) {
                    return d;
                }
            } catch (ClassNotFoundException | NoSuchMethodException | LinkageError notThisKernel) {
                // try the next kernel
            }
        }
        return null;
    }

    private static boolean running(String displayClass) {
        try {
            if (displayClass.startsWith("gptcourse.kernel")) {
                Class<?> kernel = Class.forName("gptcourse.kernel.JavaKernel", true, contextLoader());
                Method isRunning = kernel.getMethod("isRunning");
                return (Boolean) isRunning.invoke(null);
            }
            Class<?> ijava = Class.forName("io.github.spencerpark.ijava.IJava", true, contextLoader());
            return ijava.getMethod("getKernelInstance").invoke(null) != null;
        } catch (ReflectiveOperationException | LinkageError e) {
            return false;
        }
    }

    private static ClassLoader contextLoader() {
        ClassLoader cl = Thread.currentThread().getContextClassLoader();
        return cl != null ? cl : Notebook.class.getClassLoader();
    }
}
