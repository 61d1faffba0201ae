package gptcourse.kernel;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

import jdk.jshell.Diag;
import jdk.jshell.EvalException;

/**
 * Turns compiler diagnostics and exceptions into the lines a student reads, in the order Python
 * prints a traceback: the exception first, then the user's call chain from the cell down to the
 * line that failed, each frame as its cell ({@code Cell In[5], line 3}) and the source of that line.
 * Library and JDK frames between them are folded into one line each (their count and the innermost
 * one), not dropped. JShell's wrapper names ({@code REPL.$JShell$33.x}) are replaced by the user's.
 */
final class ErrorFormatter {
    /** JShell's wrapper classes: {@code REPL.$JShell$12.}, {@code REPL.$JShell$12B$} and the like. */
    private static final Pattern WRAPPER = Pattern.compile("(?:REPL\\.)?\\$JShell\\$\\d+[A-Z]*[.$]");
    private static final int MAX_USER_FRAMES = 24;
    private static final int MAX_CAUSES = 5;
    private static final String KERNEL_PACKAGE = "gptcourse.kernel.";

    private final SnippetSources sources;

    ErrorFormatter(SnippetSources sources) {
        this.sources = sources;
    }

    /** @return {@code text} with JShell's wrapper class prefixes removed */
    static String scrub(String text) {
        return text == null ? null : WRAPPER.matcher(text).replaceAll("");
    }

    static String abbreviate(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max) + "…";
    }

    // ------------------------------------------------------------------ compile errors

    /**
     * @param diags  the snippet's diagnostics
     * @param src    the snippet's source, as evaluated
     * @param origin where the snippet is
     */
    CellError compile(List<Diag> diags, String src, SnippetSources.Origin origin) {
        List<String> lines = new ArrayList<>();
        String firstMessage = null;
        for (Diag d : diags) {
            if (!d.isError()) continue;
            String message = scrub(d.getMessage(Locale.ENGLISH));
            if (firstMessage == null) firstMessage = message.lines().findFirst().orElse(message);
            int pos = (int) Math.max(0, Math.min(d.getStartPosition() >= 0 ? d.getStartPosition() : d.getPosition(),
                    src.length()));
            long endPos = Math.max(pos + 1, Math.min(d.getEndPosition(), src.length()));
            int lineStart = src.lastIndexOf('\n', pos - 1) + 1;
            int lineEnd = src.indexOf('\n', pos);
            if (lineEnd < 0) lineEnd = src.length();
            int snippetLine = countNewlines(src, pos) + 1;
            String[] msgLines = message.split("\n");
            lines.add(CellError.red("error: " + msgLines[0]) + "  (" + origin.describe(snippetLine) + ")");
            for (int i = 1; i < msgLines.length; i++) {
                // JShell wraps snippets in a nameless class: "location: class " says nothing
                if (!msgLines[i].strip().equals("location: class")) lines.add("  " + msgLines[i].strip());
            }
            lines.add("    " + src.substring(lineStart, lineEnd));
            int caretLen = (int) Math.max(1, Math.min(endPos, lineEnd) - pos);
            lines.add("    " + " ".repeat(pos - lineStart) + "^".repeat(caretLen));
        }
        if (lines.isEmpty()) {
            firstMessage = "This code can't be compiled.";
            lines.add(CellError.red(firstMessage));
        }
        return CellError.Kind.COMPILATION.make(firstMessage, lines);
    }

    static CellError incomplete(String src, SnippetSources.Origin origin) {
        String first = src.lines().findFirst().orElse("");
        return CellError.oneLine(CellError.Kind.COMPILATION, "This code is incomplete (a '}', ')' or ';' may be missing) at "
                + origin.describe(1) + ": " + abbreviate(first, 80));
    }

    // ------------------------------------------------------------------ exceptions

    /** @return the exception's name and message as the notebook's summary, wrapper names replaced */
    static String headline(EvalException e) {
        String cls = scrub(e.getExceptionClassName());
        String simple = cls.substring(cls.lastIndexOf('.') + 1);
        String message = scrub(e.getMessage());
        return simple + (message == null || message.isBlank() ? "" : ": " + message);
    }

    CellError exception(EvalException e) {
        List<String> lines = new ArrayList<>();
        lines.add(CellError.red(headline(e)));
        lines.addAll(frames(e.getStackTrace()));
        int causes = 0;
        for (Throwable cause = e.getCause(); cause != null && causes < MAX_CAUSES; cause = cause.getCause(), causes++) {
            String head = cause instanceof EvalException ce ? headline(ce) : scrub(cause.toString());
            lines.add("Caused by " + head);
            StackTraceElement[] st = cause.getStackTrace();
            if (st.length > 0) lines.add("    at " + frameName(st[0]));
        }
        String cls = e.getExceptionClassName();
        if (cls.equals("java.lang.OutOfMemoryError")) {
            lines.add("The kernel is still running. Free memory (smaller batches or models, or drop big variables) "
                    + "or restart the kernel.");
        } else if (cls.equals("java.lang.StackOverflowError")) {
            lines.add("A method called itself too deeply (infinite recursion?). The kernel is still running.");
        }
        return CellError.Kind.EVALUATION.make(headline(e), lines);
    }

    /**
     * @param stack innermost frame first, as Java gives it
     * @return the call chain outermost first: user frames with their cell line and source, library
     *         runs folded to one line, repeats (recursion) counted
     */
    List<String> frames(StackTraceElement[] stack) {
        List<String> out = new ArrayList<>();
        int i = stack.length - 1;
        int shownUser = 0;
        int skippedUser = 0;
        String previous = null;
        int repeats = 0;
        while (i >= 0) {
            if (!isUserFrame(stack[i])) {
                int end = i;
                while (i >= 0 && !isUserFrame(stack[i])) i--;
                int count = end - i;
                StackTraceElement innermost = stack[i + 1];
                for (int k = i + 1; k <= end && stack[k].getClassName().startsWith(KERNEL_PACKAGE); k++) {
                    innermost = stack[Math.min(k + 1, end)]; // the kernel's own frames (the exit guard) say nothing
                }
                out.add("  ... " + count + (count == 1 ? " library frame: " : " library frames, innermost: ")
                        + frameName(innermost));
                previous = null;
                continue;
            }
            String[] frame = userFrame(stack[i]);
            i--;
            String key = frame[0];
            if (key.equals(previous)) {
                repeats++;
                continue;
            }
            if (repeats > 0) out.add("  [the frame above repeated " + repeats + " more times]");
            repeats = 0;
            previous = key;
            if (shownUser >= MAX_USER_FRAMES && i >= MAX_USER_FRAMES / 2) {
                skippedUser++;
                continue;
            }
            if (skippedUser > 0) {
                out.add("  [" + skippedUser + " more frames of the notebook's code]");
                skippedUser = 0;
            }
            shownUser++;
            out.add(frame[0]);
            if (!frame[1].isEmpty()) out.add("      " + abbreviate(frame[1], 120));
        }
        if (repeats > 0) out.add("  [the frame above repeated " + repeats + " more times]");
        return out;
    }

    private static boolean isUserFrame(StackTraceElement el) {
        return el.getFileName() != null && el.getFileName().startsWith("#");
    }

    /** @return {location line, source line} */
    private String[] userFrame(StackTraceElement el) {
        String id = el.getFileName().substring(1);
        SnippetSources.Origin origin = sources.find(id);
        String in = describeMethod(el);
        if (origin == null) {
            return new String[] {"  snippet " + id + ", line " + el.getLineNumber() + in, ""};
        }
        return new String[] {"  " + origin.describe(el.getLineNumber()) + in, origin.source(el.getLineNumber())};
    }

    private static String describeMethod(StackTraceElement el) {
        String method = el.getMethodName();
        String cls = scrub(el.getClassName());
        if (method.isEmpty() || method.equals("do_it$")) return "";
        if (method.startsWith("lambda$")) return ", in a lambda" + (cls.isEmpty() ? "" : " in " + cls);
        if (method.equals("<init>")) return ", in new " + cls + "(...)";
        return ", in " + (cls.isEmpty() ? "" : cls + ".") + method + "(...)";
    }

    private String frameName(StackTraceElement el) {
        if (isUserFrame(el)) return userFrame(el)[0].strip();
        String file = el.getFileName() == null ? "" : " (" + el.getFileName()
                + (el.getLineNumber() > 0 ? ":" + el.getLineNumber() : "") + ")";
        return scrub(el.getClassName()) + "." + el.getMethodName() + file;
    }

    static int countNewlines(String s, int end) {
        int n = 0;
        for (int i = 0; i < Math.min(end, s.length()); i++) if (s.charAt(i) == '\n') n++;
        return n;
    }
}
