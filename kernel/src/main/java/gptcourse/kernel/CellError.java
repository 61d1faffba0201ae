package gptcourse.kernel;

import java.util.List;

/**
 * An error the notebook shows as a few readable lines (no Java stack trace). The notebook's
 * {@code ename} is the simple name of the class, so each kind of error has its own small subclass.
 */
class CellError extends Exception {
    private final List<String> traceback;

    /**
     * @param message   the one-line summary ({@code evalue})
     * @param traceback the lines the notebook shows
     */
    CellError(String message, List<String> traceback) {
        super(message, null, false, false);
        this.traceback = List.copyOf(traceback);
    }

    List<String> traceback() {
        return traceback;
    }

    static String red(String s) {
        return "\u001B[1;31m" + s + "\u001B[0m";
    }

    static String stripAnsi(String s) {
        return s.replaceAll("\u001B\\[[;\\d]*m", "");
    }

    /** @return an error of one red line */
    static CellError oneLine(Kind kind, String message) {
        return kind.make(message, List.of(red(message)));
    }

    static CellError stopped(String msg) {
        return oneLine(Kind.INTERRUPTED, msg);
    }

    static CellError magic(String message) {
        return oneLine(Kind.MAGIC, message);
    }

    /** The kinds of error, each with the class that names it in the notebook. */
    enum Kind {
        COMPILATION, EVALUATION, INTERRUPTED, MAGIC, KERNEL;

        CellError make(String message, List<String> traceback) {
            return switch (this) {
                case COMPILATION -> new CompilationError(message, traceback);
                case EVALUATION -> new EvaluationError(message, traceback);
                case INTERRUPTED -> new Interrupted(message, traceback);
                case MAGIC -> new MagicError(message, traceback);
                case KERNEL -> new KernelError(message, traceback);
            };
        }
    }

    /** Code that does not compile. */
    static final class CompilationError extends CellError {
        CompilationError(String message, List<String> traceback) {
            super(message, traceback);
        }
    }

    /** An exception thrown by the cell's code. */
    static final class EvaluationError extends CellError {
        EvaluationError(String message, List<String> traceback) {
            super(message, traceback);
        }
    }

    /** The cell was interrupted or hit IJAVA_TIMEOUT. */
    static final class Interrupted extends CellError {
        Interrupted(String message, List<String> traceback) {
            super(message, traceback);
        }
    }

    /** A magic ({@code %maven}, {@code %jars}, ...) failed. */
    static final class MagicError extends CellError {
        MagicError(String message, List<String> traceback) {
            super(message, traceback);
        }
    }

    /** The kernel itself could not run the cell. */
    static final class KernelError extends CellError {
        KernelError(String message, List<String> traceback) {
            super(message, traceback);
        }
    }
}
