package gptcourse.kernel;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.stream.Collectors;

import io.github.spencerpark.jupyter.kernel.util.GlobFinder;
import jdk.jshell.EvalException;
import jdk.jshell.ExpressionSnippet;
import jdk.jshell.JShell;
import jdk.jshell.JShellException;
import jdk.jshell.MethodSnippet;
import jdk.jshell.Snippet;
import jdk.jshell.SnippetEvent;
import jdk.jshell.SourceCodeAnalysis;
import jdk.jshell.SourceCodeAnalysis.CompletionInfo;
import jdk.jshell.SourceCodeAnalysis.Completeness;
import jdk.jshell.TypeDeclSnippet;
import jdk.jshell.UnresolvedReferenceException;
import jdk.jshell.VarSnippet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs cells in JShell: builds the shell (in the background, while the sockets bind), runs the
 * startup scripts, then evaluates each cell snippet by snippet, with its magics in between,
 * and returns the value of the last expression. Every snippet's origin is recorded in
 * {@link SnippetSources}, so errors name the cell and line, in this cell or an earlier one.
 */
final class CodeEvaluator {
    /** Marks "this snippet has no value to show" (distinct from a {@code null} value). */
    static final Object NO_VALUE = new Object();

    private static final Logger LOG = LoggerFactory.getLogger(CodeEvaluator.class);

    private final KernelConfig config;
    private final CellExecutionControl.Provider provider = new CellExecutionControl.Provider();
    private final SnippetSources sources = new SnippetSources();
    private final ErrorFormatter errors = new ErrorFormatter(sources);
    private final CompletableFuture<JShell> ready = new CompletableFuture<>();
    private final Set<String> addedClasspath = new LinkedHashSet<>();
    private final List<String> startupNotes = new ArrayList<>();
    private final ScheduledExecutorService watchdog = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "cell-timeout");
        t.setDaemon(true);
        return t;
    });
    private KernelMagics magics;
    private volatile boolean interruptRequested;
    private volatile boolean timedOut;

    CodeEvaluator(KernelConfig config) {
        this.config = config;
        this.startupNotes.addAll(config.problems());
    }

    void setMagics(KernelMagics magics) {
        this.magics = magics;
    }

    // ------------------------------------------------------------------ start-up

    /** Builds JShell and runs the startup scripts on a background thread; cells wait for it. */
    void startInBackground(String builtInName, String builtInScript) {
        Thread t = new Thread(() -> {
            try {
                ready.complete(buildShell(builtInName, builtInScript));
            } catch (Throwable e) {
                LOG.error("JShell could not start: {}", e.toString());
                ready.completeExceptionally(e);
            }
        }, "kernel-startup");
        t.setDaemon(true);
        t.start();
    }

    private JShell buildShell(String builtInName, String builtInScript) {
        long t0 = System.nanoTime();
        List<String> options = new ArrayList<>();
        options.add("-g"); // local variable names, so a NullPointerException names the student's variable
        options.addAll(config.compilerOptions());
        JShell shell = JShell.builder()
                .executionEngine(provider, Map.of())
                .compilerOptions(options.toArray(String[]::new))
                .build();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            if (!entry.isBlank()) shell.addToClasspath(entry);
        }
        for (String entry : config.classpath()) {
            try {
                for (Path p : new GlobFinder(entry).computeMatchingPaths()) shell.addToClasspath(p.toString());
            } catch (IOException e) {
                note("IJAVA_CLASSPATH entry '" + entry + "' could not be read: " + e.getMessage());
            }
        }
        LOG.info("JShell built in {} ms", (System.nanoTime() - t0) / 1_000_000);
        runStartup(shell, builtInName, builtInScript);
        for (String glob : config.startupScriptsPaths()) {
            try {
                for (Path p : new GlobFinder(glob).computeMatchingFiles()) {
                    runStartup(shell, p.toString(), Files.readString(p));
                }
            } catch (IOException e) {
                note("Startup script '" + glob + "' could not be read: " + e.getMessage());
            }
        }
        if (!config.startupScript().isBlank()) runStartup(shell, "IJAVA_STARTUP_SCRIPT", config.startupScript());
        LOG.info("JShell ready in {} ms", (System.nanoTime() - t0) / 1_000_000);
        return shell;
    }

    /** Runs a startup script snippet by snippet; a failing snippet is reported and the rest still run. */
    private void runStartup(JShell shell, String name, String code) {
        try {
            runJava(shell, code, name, 0, e -> {
                String first = e.traceback().isEmpty() ? e.getMessage() : CellError.stripAnsi(e.traceback().get(0));
                note("The " + name + " failed: " + first);
            });
        } catch (CellError | RuntimeException e) {
            note("The " + name + " failed: " + e.getMessage());
        } finally {
            control().clearResults();
        }
    }

    private void note(String text) {
        synchronized (startupNotes) {
            startupNotes.add(text);
        }
        LOG.warn(text);
    }

    /** @return the start-up problems not yet shown, and forgets them (the first cell shows them) */
    List<String> takeStartupNotes() {
        synchronized (startupNotes) {
            List<String> out = List.copyOf(startupNotes);
            startupNotes.clear();
            return out;
        }
    }

    /** @return JShell, waiting for the start-up to finish */
    JShell shell() throws CellError {
        try {
            return ready.join();
        } catch (RuntimeException e) {
            String msg = "JShell could not start: " + e.getMessage();
            throw CellError.Kind.KERNEL.make(msg, List.of(msg + ". Restart the kernel; if it keeps failing, "
                    + "check the kernel log."));
        }
    }

    /** @return JShell if it's ready within a short wait, else null (for completion and inspection) */
    JShell shellIfReady() {
        try {
            return ready.get(10, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        } catch (Exception e) {
            return null;
        }
    }

    CellExecutionControl control() {
        return provider.control();
    }

    // ------------------------------------------------------------------ cells

    /**
     * Runs a whole cell (or a {@code %load}ed file): a cell magic, or Java code interleaved with
     * line magics.
     *
     * @param where {@code "In[5]"} for a cell, or the file's name, for error messages
     * @return the value of the last expression, or {@link #NO_VALUE}
     */
    Object runCell(String code, String where) throws Exception {
        JShell shell = shell();
        interruptRequested = false;
        timedOut = false;
        control().clearStop();
        try {
            MagicSyntax.CellMagic cellMagic = MagicSyntax.cellMagic(code);
            if (cellMagic != null) return magics.cell(cellMagic.name(), cellMagic.args(), cellMagic.body());
            String[] lines = code.split("\n", -1);
            StringBuilder chunk = new StringBuilder();
            int chunkStart = 0;
            Object last = NO_VALUE;
            for (int i = 0; i < lines.length; i++) {
                List<String> magic = MagicSyntax.lineMagic(lines[i]);
                if (magic == null) {
                    chunk.append(MagicSyntax.magicsInExpressions(lines[i])).append('\n');
                    continue;
                }
                if (!chunk.toString().isBlank()) last = runJava(shell, chunk.toString(), where, chunkStart, null);
                chunk.setLength(0);
                chunkStart = i + 1;
                last = magics.lineInCell(magic.get(0), magic.subList(1, magic.size()), where, i + 1);
                checkInterrupted();
            }
            if (!chunk.toString().isBlank()) last = runJava(shell, chunk.toString(), where, chunkStart, null);
            return last;
        } finally {
            control().clearResults();
        }
    }

    /** Evaluates a file's contents as if it were a cell ({@code %load}). */
    Object runFile(Path file) throws Exception {
        return runCell(Files.readString(file), file.getFileName().toString());
    }

    /**
     * Evaluates Java source snippet by snippet.
     *
     * @param firstLine the 0-based line of {@code where} on which {@code src} starts
     * @param onError   null to stop at the first error, else told of each error while the rest runs
     */
    private Object runJava(JShell shell, String src, String where, int firstLine, Consumer<CellError> onError)
            throws CellError {
        SourceCodeAnalysis analysis = shell.sourceCodeAnalysis();
        String remaining = src;
        Object last = NO_VALUE;
        while (!remaining.isBlank()) {
            int offset = src.length() - remaining.length();
            CompletionInfo info = analysis.analyzeCompletion(remaining);
            Completeness c = info.completeness();
            if (c == Completeness.EMPTY) break;
            String snippet = c == Completeness.UNKNOWN ? remaining : info.source();
            int lead = 0;
            while (lead < snippet.length() && Character.isWhitespace(snippet.charAt(lead))) lead++;
            // JShell numbers a snippet's lines from its first non-blank line
            int startLine = firstLine + ErrorFormatter.countNewlines(src, offset + lead) + 1;
            String body = snippet.substring(lead);
            SnippetSources.Origin origin = new SnippetSources.Origin(where, startLine, body.lines().toList());
            if (c == Completeness.DEFINITELY_INCOMPLETE || c == Completeness.CONSIDERED_INCOMPLETE) {
                CellError e = ErrorFormatter.incomplete(body, origin);
                if (onError == null) throw e;
                onError.accept(e);
                break;
            }
            if (c == Completeness.UNKNOWN && onError != null) {
                // code JShell can't split (a syntax error): in a startup script, skip one line and go on
                int eol = remaining.indexOf('\n', lead);
                int cut = eol < 0 ? remaining.length() : eol + 1;
                body = remaining.substring(lead, Math.max(lead, cut)).strip();
                origin = new SnippetSources.Origin(where, startLine, body.lines().toList());
                remaining = remaining.substring(cut);
            } else {
                remaining = c == Completeness.UNKNOWN ? "" : info.remaining();
            }
            try {
                last = evalSnippet(shell, body, origin);
            } catch (CellError e) {
                if (onError == null || e instanceof CellError.Interrupted) throw e;
                onError.accept(e);
            }
            checkInterrupted();
        }
        return last;
    }

    private Object evalSnippet(JShell shell, String src, SnippetSources.Origin origin) throws CellError {
        List<ScheduledFuture<?>> timers = new java.util.concurrent.CopyOnWriteArrayList<>();
        // IJAVA_TIMEOUT limits the time a statement runs (not its compilation, slow on a busy machine),
        // and the notebook's statements only, not the kernel's start-up
        if (config.timeoutMillis() > 0 && ready.isDone()) {
            control().onStart(() -> timers.add(watchdog.schedule(() -> {
                timedOut = true;
                shell.stop();
            }, config.timeoutMillis(), TimeUnit.MILLISECONDS)));
        }
        List<SnippetEvent> events;
        try {
            events = shell.eval(src);
        } finally {
            control().onStart(null);
            timers.forEach(t -> t.cancel(false));
        }
        checkInterrupted();
        Object value = NO_VALUE;
        for (SnippetEvent ev : events) {
            if (ev.causeSnippet() != null) continue;
            Snippet s = ev.snippet();
            if (ev.status() == Snippet.Status.REJECTED) {
                throw errors.compile(shell.diagnostics(s).collect(Collectors.toList()), src, origin);
            }
            sources.record(s.id(), origin.where(), origin.firstLine(), src);
            JShellException ex = ev.exception();
            if (ex != null) throw runtimeError(shell, ex);
            if (ev.status() == Snippet.Status.RECOVERABLE_DEFINED || ev.status() == Snippet.Status.RECOVERABLE_NOT_DEFINED) {
                String missing = shell.unresolvedDependencies((jdk.jshell.DeclarationSnippet) s)
                        .collect(Collectors.joining(", "));
                System.err.println("Note: " + describe(s) + " was defined, but can't be used until "
                        + missing + " is declared.");
            }
            value = valueOf(s, ev.value());
        }
        return value;
    }

    private Object valueOf(Snippet s, String valueKey) {
        String type = null;
        if (s instanceof ExpressionSnippet e) {
            type = e.typeName();
        } else if (s instanceof VarSnippet v && v.subKind() == Snippet.SubKind.TEMP_VAR_EXPRESSION_SUBKIND) {
            type = v.typeName();
        }
        Object value = control().takeResult(valueKey);
        if (type == null || "void".equals(type)) return NO_VALUE;
        return value;
    }

    private void checkInterrupted() throws CellError {
        if (timedOut) {
            timedOut = false;
            throw CellError.stopped("Stopped: a statement ran longer than IJAVA_TIMEOUT ("
                    + config.timeoutMillis() + " ms). The kernel is still running.");
        }
        if (interruptRequested) {
            interruptRequested = false;
            throw CellError.stopped("Interrupted: the cell was stopped. The kernel is still running and keeps "
                    + "everything defined before the interrupt.");
        }
    }

    private CellError runtimeError(JShell shell, JShellException ex) {
        if (ex instanceof UnresolvedReferenceException u) {
            String missing = shell.unresolvedDependencies(u.getSnippet()).collect(Collectors.joining(", "));
            String msg = describe(u.getSnippet()) + " can't run until " + missing + " is declared.";
            return CellError.Kind.EVALUATION.make(msg, List.of(CellError.red(msg),
                    "Declare " + missing + " (run the cell that defines it), then run this cell again."));
        }
        if (ex instanceof EvalException e) return errors.exception(e);
        return CellError.oneLine(CellError.Kind.EVALUATION, ErrorFormatter.scrub(String.valueOf(ex.getMessage())));
    }

    static String describe(Snippet s) {
        if (s instanceof MethodSnippet m) return "method " + m.name() + "(" + m.parameterTypes() + ")";
        if (s instanceof TypeDeclSnippet t) return "class " + t.name();
        if (s instanceof VarSnippet v) return "variable " + v.name();
        return "this code";
    }

    /**
     * Adds a jar or class folder to both the compiler's and the class loader's classpath.
     *
     * @return true if it was new
     */
    boolean addToClasspath(Path path) throws CellError {
        String p = path.toAbsolutePath().normalize().toString();
        if (!addedClasspath.add(p)) return false;
        shell().addToClasspath(p);
        return true;
    }

    // ------------------------------------------------------------------ interrupt, shutdown

    void interrupt() {
        CellExecutionControl control = control();
        if (!ready.isDone()) return; // the start-up runs to its end; a cell waiting for it then runs
        interruptRequested = true;
        if (control != null) control.requestStop();
    }

    void close() {
        watchdog.shutdownNow();
        JShell shell = ready.getNow(null);
        if (shell != null) {
            try {
                shell.close();
            } catch (RuntimeException e) {
                LOG.debug("Closing JShell: {}", e.toString());
            }
        }
    }
}
