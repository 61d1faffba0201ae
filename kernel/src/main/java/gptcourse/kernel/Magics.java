package gptcourse.kernel;

import java.util.List;

/**
 * IJava's programmatic magics, imported statically into every notebook: {@code lineMagic("jars",
 * List.of("*.jar"))} is what {@code %jars *.jar} does, {@code cellMagic("loadFromPOM", List.of(), pom)}
 * what a {@code %%loadFromPOM} cell does, and {@code eval("1 + 1")} runs code as a cell would and
 * returns its value. The generic return type lets the value be assigned without a cast, unchecked,
 * as in IJava.
 */
public final class Magics {
    private Magics() {
    }

    /**
     * @param name the magic's name without {@code %}
     * @param args its arguments
     * @param <T>  the type the caller expects (unchecked)
     * @return what the magic returns ({@code %jars} and {@code %classpath}: the added paths), or null
     */
    @SuppressWarnings("unchecked")
    public static <T> T lineMagic(String name, List<String> args) {
        return (T) unwrap(call(() -> JavaKernel.current().magics().line(name, args)));
    }

    /**
     * @param name the magic's name without {@code %%}
     * @param args its arguments
     * @param body the rest of the cell
     * @param <T>  the type the caller expects (unchecked)
     * @return what the magic returns, or null
     */
    @SuppressWarnings("unchecked")
    public static <T> T cellMagic(String name, List<String> args, String body) {
        return (T) unwrap(call(() -> JavaKernel.current().magics().cell(name, args, body)));
    }

    /**
     * Runs code as a cell would (magics included) and returns the value of its last expression.
     *
     * @param code Java code
     * @return its value, or null if it has none
     * @throws Exception the cell's error, with the lines the notebook would show as its message
     */
    public static Object eval(String code) throws Exception {
        try {
            return unwrap(JavaKernel.current().evaluator().runCell(code, "eval(...)"));
        } catch (CellError e) {
            throw new IllegalStateException(String.join("\n", e.traceback().stream().map(CellError::stripAnsi).toList()));
        }
    }

    private interface MagicCall {
        Object run() throws Exception;
    }

    private static Object call(MagicCall call) {
        try {
            return call.run();
        } catch (CellError e) {
            throw new IllegalStateException(CellError.stripAnsi(e.getMessage()));
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    private static Object unwrap(Object value) {
        return value == CodeEvaluator.NO_VALUE ? null : value;
    }
}
