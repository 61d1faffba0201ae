package gptcourse.grading;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;

import gptcourse.notebook.Notebook;

/**
 * Calls a student's code for a check and turns whatever it throws into one line that says what
 * went wrong, so the notebook shows a sentence instead of a stack trace.
 */
final class StudentCode {

    /** The value returned, or the problem (a sentence) if the code threw. */
    record Call<T>(T value, String problem) {
        boolean failed() {
            return problem != null;
        }
    }

    private StudentCode() {
    }

    /** Runs {@code code}; {@code what} names it in the problem, e.g. {@code "trainingStep"}. */
    static <T> Call<T> call(String what, Supplier<T> code) {
        try {
            return new Call<>(code.get(), null);
        } catch (ThreadDeath | OutOfMemoryError stop) {
            throw stop; // an interrupt or a dying JVM: not the student's answer to report
        } catch (Throwable t) {
            return new Call<>(null, explain(what, t));
        }
    }

    /**
     * As {@link #call}, with the notebook's displays off and standard output and error captured
     * and dropped: a student's {@code train()} draws charts and progress bars that would bury the
     * check's lines.
     */
    static <T> Call<T> callQuietly(String what, Supplier<T> code) {
        PrintStream out = System.out;
        PrintStream err = System.err;
        PrintStream sink = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        System.setOut(sink);
        System.setErr(sink);
        try {
            return Notebook.withoutDisplay(() -> call(what, code));
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
    }

    /** One sentence about {@code t}, naming the student's method it came from when it can. */
    static String explain(String what, Throwable t) {
        String where = studentFrame(t);
        String who = where != null ? where : what;
        if (t instanceof UnsupportedOperationException && "exercise".equals(t.getMessage())) {
            return who + " is not written yet: it still throws UnsupportedOperationException(\"exercise\")."
                    + " Replace that line with your code.";
        }
        String message = t.getMessage() == null ? "" : t.getMessage();
        if (t instanceof SecurityException && message.contains("System.exit")) {
            return who + " called System.exit, which the notebook blocks (it would end the kernel): return a value"
                    + " or throw an exception instead.";
        }
        if (t instanceof StackOverflowError) {
            return who + " calls itself without end (StackOverflowError): does a method call itself instead of the"
                    + " model or the optimizer?";
        }
        String first = message.lines().findFirst().orElse("");
        return what + " threw " + t.getClass().getSimpleName() + (first.isEmpty() ? "" : ": " + first)
                + (where != null && !where.equals(what) ? " (in " + where + ")" : "");
    }

    /**
     * The first stack frame in code typed into the notebook, as {@code MyTrainer.trainingStep}:
     * JShell compiles cells into classes named {@code REPL.$JShell$17$MyTrainer}.
     */
    static String studentFrame(Throwable t) {
        for (StackTraceElement e : t.getStackTrace()) {
            String cls = e.getClassName();
            int mark = cls.lastIndexOf('$');
            if (cls.startsWith("REPL.$JShell$") && mark >= 0) {
                String simple = cls.substring(mark + 1);
                return simple.isEmpty() || Character.isDigit(simple.charAt(0)) ? e.getMethodName()
                        : simple + "." + e.getMethodName();
            }
        }
        return null;
    }
}
