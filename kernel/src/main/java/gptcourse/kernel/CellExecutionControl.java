package gptcourse.kernel;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import jdk.jshell.execution.DirectExecutionControl;
import jdk.jshell.spi.ExecutionControl;
import jdk.jshell.spi.ExecutionControlProvider;
import jdk.jshell.spi.ExecutionEnv;

/**
 * Runs JShell snippets inside the kernel's JVM (so {@code display(...)} reaches the notebook
 * and ND4J's natives load once), each on its own thread so that an interrupt can stop it.
 *
 * <p>JShell only hands back a snippet's value as a string; this control keeps the object
 * itself and returns a key, so the kernel can render charts, tables and tensors.
 */
final class CellExecutionControl extends DirectExecutionControl {
    /** Stands in for a {@code null} result in the results map. */
    private static final Object NULL = new Object();
    private static final String KEY_PREFIX = "\u0000gptcourse-result-";

    private final ThreadGroup cells = new ThreadGroup("notebook-cells");
    private final ClassLoader snippetLoader;
    private final Map<String, Object> results = new ConcurrentHashMap<>();
    private final AtomicLong nextKey = new AtomicLong();
    private volatile Thread running;
    private volatile boolean stopRequested;
    private volatile boolean stopPending;
    private volatile Runnable onStart;

    CellExecutionControl() {
        super();
        // DirectExecutionControl's loader delegate made its class loader the context loader of this thread.
        this.snippetLoader = Thread.currentThread().getContextClassLoader();
    }

    @Override
    protected String invoke(Method doit) throws Exception {
        if (stopPending) {
            // interrupted while JShell was still compiling: don't start the snippet at all
            throw new ExecutionControl.StoppedException();
        }
        AtomicReference<Object> result = new AtomicReference<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread cell = new Thread(cells, () -> {
            try {
                result.set(doit.invoke(null));
            } catch (InvocationTargetException e) {
                failure.set(e.getCause());
            } catch (Throwable t) {
                failure.set(t);
            }
        }, "notebook-cell");
        cell.setContextClassLoader(snippetLoader);
        stopRequested = false;
        Thread outer = running; // a cell calling eval(...) runs a snippet inside its own
        running = cell;
        try {
            cell.start();
            Runnable started = onStart;
            if (started != null) started.run();
            cell.join();
        } finally {
            running = outer;
        }
        Throwable thrown = failure.get();
        if (stopRequested || isThreadDeath(thrown)) {
            throw new ExecutionControl.StoppedException();
        }
        if (thrown != null) {
            throw new InvocationTargetException(thrown);
        }
        String key = KEY_PREFIX + nextKey.incrementAndGet();
        results.put(key, result.get() == null ? NULL : result.get());
        return key;
    }

    /** Like JShell's own, but keeps the variable's value for the kernel and returns its key. */
    @Override
    public String varValue(String className, String varName) throws ExecutionControl.RunException,
            ExecutionControl.EngineTerminationException, ExecutionControl.InternalException {
        Object value;
        try {
            java.lang.reflect.Field field = findClass(className).getDeclaredField(varName);
            field.setAccessible(true);
            value = field.get(null);
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new ExecutionControl.InternalException("Can't read " + varName + ": " + e);
        }
        String key = KEY_PREFIX + nextKey.incrementAndGet();
        results.put(key, value == null ? NULL : value);
        return key;
    }

    @SuppressWarnings({"deprecation", "removal"})
    private static boolean isThreadDeath(Throwable t) {
        return t instanceof ThreadDeath;
    }

    /**
     * @param key the value string JShell reported for a snippet
     * @return the snippet's value (possibly {@code null}), or {@link CodeEvaluator#NO_VALUE} if none was kept
     */
    Object takeResult(String key) {
        if (key == null || !key.startsWith(KEY_PREFIX)) return CodeEvaluator.NO_VALUE;
        Object value = results.remove(key);
        if (value == null) return CodeEvaluator.NO_VALUE;
        return value == NULL ? null : value;
    }

    /** Drops the values of snippets nobody asked for (declarations), so they can be collected. */
    void clearResults() {
        results.clear();
    }

    /** @return true while a snippet is running */
    boolean isRunning() {
        return running != null;
    }

    /** @param hook run as each snippet starts running (after compilation), or null */
    void onStart(Runnable hook) {
        onStart = hook;
    }

    /** Stops the running snippet, or the next one if none runs yet (an interrupt during compilation). */
    void requestStop() {
        stopPending = true;
        stop();
    }

    /** Forgets an interrupt that came when nothing was left to stop (at the start of a cell). */
    void clearStop() {
        stopPending = false;
    }

    @Override
    @SuppressWarnings({"deprecation", "removal"})
    public void stop() {
        Thread cell = running;
        if (cell == null) return;
        stopRequested = true;
        cell.interrupt();
        try {
            cell.stop();
        } catch (UnsupportedOperationException e) {
            // JDK 20+: Thread.stop is gone; the interrupt above is all we can do.
        }
    }

    /** Hands JShell this control and remembers it for the kernel. */
    static final class Provider implements ExecutionControlProvider {
        private volatile CellExecutionControl control;

        @Override
        public String name() {
            return "gptcourse-cells";
        }

        @Override
        public ExecutionControl generate(ExecutionEnv env, Map<String, String> parameters) {
            control = new CellExecutionControl();
            return control;
        }

        CellExecutionControl control() {
            return control;
        }
    }
}
