package gptcourse.kernel;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import io.github.spencerpark.jupyter.channels.JupyterConnection;
import io.github.spencerpark.jupyter.channels.ShellHandler;
import io.github.spencerpark.jupyter.channels.ShellReplyEnvironment;
import io.github.spencerpark.jupyter.kernel.BaseKernel;
import io.github.spencerpark.jupyter.kernel.LanguageInfo;
import io.github.spencerpark.jupyter.kernel.ReplacementOptions;
import io.github.spencerpark.jupyter.kernel.display.DisplayData;
import io.github.spencerpark.jupyter.kernel.display.mime.MIMEType;
import io.github.spencerpark.jupyter.kernel.history.HistoryEntry;
import io.github.spencerpark.jupyter.kernel.history.HistoryManager;
import io.github.spencerpark.jupyter.kernel.magic.CellMagicParseContext;
import io.github.spencerpark.jupyter.kernel.magic.MagicParser;
import io.github.spencerpark.jupyter.kernel.util.GlobFinder;
import io.github.spencerpark.jupyter.messages.Message;
import io.github.spencerpark.jupyter.messages.MessageType;
import io.github.spencerpark.jupyter.messages.publish.PublishClearOutput;
import io.github.spencerpark.jupyter.messages.reply.ErrorReply;
import io.github.spencerpark.jupyter.messages.reply.ExecuteReply;
import io.github.spencerpark.jupyter.messages.reply.InterruptReply;
import io.github.spencerpark.jupyter.messages.reply.KernelInfoReply;
import io.github.spencerpark.jupyter.messages.request.ExecuteRequest;
import io.github.spencerpark.jupyter.messages.request.HistoryRequest;
import io.github.spencerpark.jupyter.messages.request.KernelInfoRequest;
import io.github.spencerpark.jupyter.messages.request.ShutdownRequest;
import io.github.spencerpark.jupyter.messages.request.InterruptRequest;
import jdk.jshell.Diag;
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
import jdk.jshell.SourceCodeAnalysis.Documentation;
import jdk.jshell.SourceCodeAnalysis.Suggestion;
import jdk.jshell.TypeDeclSnippet;
import jdk.jshell.UnresolvedReferenceException;
import jdk.jshell.VarSnippet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The course's Java kernel: JShell cells on the Jupyter wire protocol, IJava-compatible.
 *
 * <p>A cell is split into Java code and magic lines ({@code %maven ...}), run top to bottom; the
 * value of its last expression becomes the cell's result, rendered by {@link CourseRenderers}.
 * Errors come back as a few readable lines: the compiler's message and the cell line, or the
 * exception and the cell line where it surfaced.
 */
public final class JavaKernel extends BaseKernel {
    /** Marks "this snippet has no value to show" (distinct from a {@code null} value). */
    static final Object NO_VALUE = new Object();

    private static final Logger LOG = LoggerFactory.getLogger(JavaKernel.class);
    private static final Pattern LINE_MAGIC = Pattern.compile("^%(\\w.*)$");
    private static final Pattern STARTUP_IMPORT = Pattern.compile("^\\s*import\\s+(gptcourse(?:\\.\\w+)+)\\.\\*\\s*;\\s*$");
    private static final int MAX_DOCS = 8;

    private static volatile JavaKernel current;

    private final KernelConfig config;
    private final KernelHistory history = new KernelHistory();
    private final CellExecutionControl.Provider provider = new CellExecutionControl.Provider();
    private final MagicParser magicParser = new MagicParser();
    private final KernelMagics magics;
    private final ScheduledExecutorService watchdog = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "cell-timeout");
        t.setDaemon(true);
        return t;
    });
    private final List<String> startupNotes = new ArrayList<>();
    private final CompletableFuture<JShell> ready = new CompletableFuture<>();
    private final Set<String> addedClasspath = new LinkedHashSet<>();

    private volatile ShellReplyEnvironment executeEnv;
    private volatile boolean storeHistory = true;
    private volatile boolean interruptRequested;
    private volatile boolean timedOut;

    /**
     * @param config settings from the IJAVA_* environment variables
     */
    public JavaKernel(KernelConfig config) {
        this.config = config;
        this.startupNotes.addAll(config.problems());
        this.magics = new KernelMagics(this, new MavenResolver());
        BuiltInStartup.registerRenderers(config, getRenderer());
        current = this;
    }

    /**
     * @return the running kernel, for {@link Display} and {@link ProgressBar}
     * @throws IllegalStateException outside a kernel
     */
    /** @return true while a kernel runs in this JVM (the library asks, by reflection, before it shows charts) */
    public static boolean isRunning() {
        return current != null;
    }

    static JavaKernel current() {
        JavaKernel k = current;
        if (k == null) throw new IllegalStateException("display(...) works only inside the notebook kernel.");
        return k;
    }

    // ------------------------------------------------------------------ start-up

    /** Builds JShell and runs the startup scripts on a background thread; cells wait for it. */
    void startInBackground() {
        Thread t = new Thread(() -> {
            try {
                ready.complete(buildShell());
            } catch (Throwable e) {
                LOG.error("JShell could not start: {}", e.toString());
                ready.completeExceptionally(e);
            }
        }, "kernel-startup");
        t.setDaemon(true);
        t.start();
    }

    private JShell buildShell() {
        long t0 = System.nanoTime();
        JShell shell = JShell.builder()
                .executionEngine(provider, Map.of())
                .compilerOptions(config.compilerOptions().toArray(String[]::new))
                .build();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            if (!entry.isBlank()) shell.addToClasspath(entry);
        }
        for (String entry : config.classpath()) {
            try {
                for (Path p : new GlobFinder(entry).computeMatchingPaths()) shell.addToClasspath(p.toString());
            } catch (IOException e) {
                startupNotes.add("IJAVA_CLASSPATH entry '" + entry + "' could not be read: " + e.getMessage());
            }
        }
        LOG.info("JShell built in {} ms", (System.nanoTime() - t0) / 1_000_000);
        runStartup(shell, BuiltInStartup.name(config), BuiltInStartup.script(config, JavaKernel::courseStartupScript));
        LOG.info("Startup script done at {} ms", (System.nanoTime() - t0) / 1_000_000);
        for (String glob : config.startupScriptsPaths()) {
            try {
                for (Path p : new GlobFinder(glob).computeMatchingFiles()) {
                    runStartup(shell, p.toString(), Files.readString(p));
                }
            } catch (IOException e) {
                startupNotes.add("Startup script '" + glob + "' could not be read: " + e.getMessage());
            }
        }
        if (!config.startupScript().isBlank()) runStartup(shell, "IJAVA_STARTUP_SCRIPT", config.startupScript());
        LOG.info("JShell ready in {} ms", (System.nanoTime() - t0) / 1_000_000);
        return shell;
    }

    /**
     * The built-in startup script, with its {@code import gptcourse.x.*;} lines kept only for the
     * course packages that exist on the classpath (the library is written alongside the kernel).
     */
    static String courseStartupScript() {
        String script;
        try (InputStream in = JavaKernel.class.getResourceAsStream("startup.jsh")) {
            script = in == null ? "" : new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            LOG.warn("Could not read the built-in startup script: {}", e.toString());
            return "";
        }
        StringBuilder kept = new StringBuilder();
        for (String line : script.split("\n", -1)) {
            Matcher m = STARTUP_IMPORT.matcher(line);
            if (m.matches() && !packageExists(m.group(1))) {
                LOG.debug("Startup: skipping '{}' (no such package on the classpath)", line.trim());
                kept.append('\n');
                continue;
            }
            kept.append(line).append('\n');
        }
        return kept.toString();
    }

    static boolean packageExists(String pkg) {
        return ClassLoader.getSystemResource(pkg.replace('.', '/') + "/") != null;
    }

    private void runStartup(JShell shell, String name, String code) {
        try {
            runJava(shell, code, 0);
        } catch (CellError e) {
            String first = e.traceback().isEmpty() ? e.getMessage() : stripAnsi(e.traceback().get(0));
            startupNotes.add("The " + name + " failed: " + first);
            LOG.warn("The {} failed: {}", name, e.getMessage());
        } catch (RuntimeException e) {
            startupNotes.add("The " + name + " failed: " + e);
        } finally {
            control().clearResults();
        }
    }

    private JShell shell() throws CellError {
        try {
            return ready.join();
        } catch (RuntimeException e) {
            throw CellError.of("KernelError", "JShell could not start: " + e.getMessage(),
                    List.of("JShell could not start: " + e.getMessage() + ". Restart the kernel; if it keeps failing, "
                            + "check the kernel log."));
        }
    }

    /** @return JShell if it's ready within a short wait, else null (for completion and inspection) */
    private JShell shellIfReady() {
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

    private CellExecutionControl control() {
        return provider.control();
    }

    // ------------------------------------------------------------------ execution

    @Override
    public DisplayData eval(String code) throws Exception {
        return eval(code, storeHistory);
    }

    /**
     * @param record whether the cell goes into the history ({@code store_history})
     */
    private DisplayData eval(String code, boolean record) throws Exception {
        int count = executionCount.get() - 1;
        interruptRequested = false;
        timedOut = false;
        JShell shell = shell();
        flushStartupNotes();
        String output = "";
        try {
            Object value = runCell(shell, code);
            DisplayData out = value == NO_VALUE ? null : toDisplayData(value);
            if (out != null) output = String.valueOf(out.getData(MIMEType.TEXT_PLAIN));
            return out;
        } finally {
            if (record) history.add(count, code, output);
            control().clearResults();
            System.out.flush();
            System.err.flush();
        }
    }

    /**
     * A {@code silent} execute_request: run the code, publish nothing, keep the execution count.
     */
    private void executeSilently(ShellReplyEnvironment env, Message<ExecuteRequest> message) {
        env.setBusyDeferIdle();
        java.io.PrintStream out = System.out;
        java.io.PrintStream err = System.err;
        java.io.PrintStream sink = new java.io.PrintStream(java.io.OutputStream.nullOutputStream());
        System.setOut(sink);
        System.setErr(sink);
        try {
            eval(message.getContent().getCode(), false);
            env.defer().reply(new ExecuteReply(executionCount.get(), Map.of()));
        } catch (Exception e) {
            ErrorReply error = ErrorReply.of(e);
            error.setExecutionCount(executionCount.get());
            env.defer().replyError(ExecuteReply.MESSAGE_TYPE.error(), error);
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
    }

    private void flushStartupNotes() {
        synchronized (startupNotes) {
            for (String note : startupNotes) System.err.println(note);
            startupNotes.clear();
        }
    }

    /**
     * Runs a whole cell (or a {@code %load}ed file): a cell magic, or Java code interleaved with
     * line magics.
     *
     * @return the value of the last expression, or {@link #NO_VALUE}
     */
    Object runCell(JShell shell, String code) throws Exception {
        CellMagicParseContext cellMagic = magicParser.parseCellMagic(code);
        if (cellMagic != null) {
            return magics.cell(cellMagic.getMagicCall().getName(), cellMagic.getMagicCall().getArgs(),
                    cellMagic.getMagicCall().getBody());
        }
        String[] lines = code.split("\n", -1);
        StringBuilder chunk = new StringBuilder();
        int chunkStart = 0;
        Object last = NO_VALUE;
        for (int i = 0; i < lines.length; i++) {
            Matcher m = LINE_MAGIC.matcher(lines[i]);
            if (!m.matches()) {
                chunk.append(lines[i]).append('\n');
                continue;
            }
            if (!chunk.toString().isBlank()) last = runJava(shell, chunk.toString(), chunkStart);
            chunk.setLength(0);
            chunkStart = i + 1;
            List<String> words = splitMagicArgs(m.group(1));
            try {
                last = magics.line(words.get(0), words.subList(1, words.size()));
            } catch (CellError e) {
                throw e;
            } catch (Exception e) {
                throw CellError.magic(words.get(0), e, i + 1);
            }
            checkInterrupted();
        }
        if (!chunk.toString().isBlank()) last = runJava(shell, chunk.toString(), chunkStart);
        return last;
    }

    /** Evaluates a file's contents as if it were a cell ({@code %load}). */
    Object runFile(Path file) throws Exception {
        return runCell(shell(), Files.readString(file));
    }

    /**
     * Evaluates Java source snippet by snippet.
     *
     * @param firstLine the 0-based cell line where {@code src} starts, for error messages
     */
    private Object runJava(JShell shell, String src, int firstLine) throws CellError {
        SourceCodeAnalysis analysis = shell.sourceCodeAnalysis();
        String remaining = src;
        Object last = NO_VALUE;
        while (!remaining.isBlank()) {
            int offset = src.length() - remaining.length();
            int lead = 0;
            while (lead < remaining.length() && Character.isWhitespace(remaining.charAt(lead))) lead++;
            int startLine = firstLine + countNewlines(src, offset + lead);
            CompletionInfo info = analysis.analyzeCompletion(remaining);
            Completeness c = info.completeness();
            if (c == Completeness.EMPTY) break;
            if (c == Completeness.DEFINITELY_INCOMPLETE || c == Completeness.CONSIDERED_INCOMPLETE) {
                throw CellError.incomplete(remaining.strip(), startLine);
            }
            String snippet = c == Completeness.UNKNOWN ? remaining : info.source();
            remaining = c == Completeness.UNKNOWN ? "" : info.remaining();
            last = evalSnippet(shell, snippet, startLine);
            checkInterrupted();
        }
        return last;
    }

    private Object evalSnippet(JShell shell, String snippetSrc, int startLine) throws CellError {
        ScheduledFuture<?> timer = null;
        if (config.timeoutMillis() > 0) {
            timer = watchdog.schedule(() -> {
                timedOut = true;
                shell.stop();
            }, config.timeoutMillis(), TimeUnit.MILLISECONDS);
        }
        List<SnippetEvent> events;
        try {
            events = shell.eval(snippetSrc);
        } finally {
            if (timer != null) timer.cancel(false);
        }
        checkInterrupted();
        Object value = NO_VALUE;
        for (SnippetEvent ev : events) {
            if (ev.causeSnippet() != null) continue;
            Snippet s = ev.snippet();
            if (ev.status() == Snippet.Status.REJECTED) {
                throw CellError.compile(shell.diagnostics(s).collect(Collectors.toList()), snippetSrc, startLine);
            }
            JShellException ex = ev.exception();
            if (ex != null) throw runtimeError(shell, ex, s, snippetSrc, startLine);
            if (ev.status() == Snippet.Status.RECOVERABLE_DEFINED || ev.status() == Snippet.Status.RECOVERABLE_NOT_DEFINED) {
                String missing = shell.unresolvedDependencies((jdk.jshell.DeclarationSnippet) s).collect(Collectors.joining(", "));
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

    private CellError runtimeError(JShell shell, JShellException ex, Snippet s, String src, int startLine) {
        if (ex instanceof UnresolvedReferenceException u) {
            String missing = shell.unresolvedDependencies(u.getSnippet()).collect(Collectors.joining(", "));
            String msg = describe(u.getSnippet()) + " can't run until " + missing + " is declared.";
            return CellError.of("EvaluationError", msg, List.of(CellError.red(msg),
                    "Declare " + missing + " (run the cell that defines it), then run this cell again."));
        }
        if (ex instanceof EvalException e) {
            return CellError.exception(e, s.id(), src, startLine);
        }
        return CellError.of("EvaluationError", String.valueOf(ex.getMessage()), List.of(CellError.red(String.valueOf(ex))));
    }

    private static String describe(Snippet s) {
        if (s instanceof MethodSnippet m) return "method " + m.name() + "(" + m.parameterTypes() + ")";
        if (s instanceof TypeDeclSnippet t) return "class " + t.name();
        if (s instanceof VarSnippet v) return "variable " + v.name();
        return "this code";
    }

    private DisplayData toDisplayData(Object value) {
        if (value instanceof DisplayData d) return d;
        if (value == null) return new DisplayData("null");
        try {
            return getRenderer().render(value);
        } catch (RuntimeException e) {
            LOG.warn("Rendering a {} failed: {}", value.getClass().getName(), e.toString());
            return new DisplayData(String.valueOf(value));
        }
    }

    /** Adds a jar or class folder to both the compiler's and the class loader's classpath. */
    void addToClasspath(Path path) throws CellError {
        String p = path.toAbsolutePath().normalize().toString();
        if (addedClasspath.add(p)) shell().addToClasspath(p);
    }

    static int countNewlines(String s, int end) {
        int n = 0;
        for (int i = 0; i < Math.min(end, s.length()); i++) if (s.charAt(i) == '\n') n++;
        return n;
    }

    static List<String> splitMagicArgs(String raw) {
        List<String> out = new ArrayList<>();
        Matcher m = Pattern.compile("\"([^\"]*)\"|(\\S+)").matcher(raw);
        while (m.find()) out.add(m.group(1) != null ? m.group(1) : m.group(2));
        return out;
    }

    /**
     * Clears the running cell's output ({@code clear_output}).
     *
     * @param wait true to clear only when the next output arrives (no flicker in animations)
     */
    void clearOutput(boolean wait) {
        ShellReplyEnvironment env = executeEnv;
        if (env == null) return;
        System.out.flush();
        System.err.flush();
        env.publish(wait ? PublishClearOutput.BEFORE_NEXT_OUTPUT : PublishClearOutput.NOW);
    }

    // ------------------------------------------------------------------ interrupt, shutdown

    @Override
    public void interrupt() {
        CellExecutionControl control = control();
        interruptRequested = true;
        JShell shell = ready.getNow(null);
        if (shell != null && control != null && control.isRunning()) shell.stop();
        LOG.info("Interrupt requested");
    }

    @Override
    public void onShutdown(boolean isRestarting) {
        LOG.info("Shutting down (restart: {})", isRestarting);
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

    // ------------------------------------------------------------------ completion, inspection

    /** Blanks out magic lines so the analysis sees only Java, at the same offsets. */
    static String maskMagics(String code) {
        String[] lines = code.split("\n", -1);
        StringBuilder out = new StringBuilder(code.length());
        for (int i = 0; i < lines.length; i++) {
            if (i > 0) out.append('\n');
            out.append(lines[i].startsWith("%") ? " ".repeat(lines[i].length()) : lines[i]);
        }
        return out.toString();
    }

    /** @return {start offset, end offset} of the snippet containing {@code at} */
    private static int[] snippetAround(SourceCodeAnalysis analysis, String code, int at) {
        int start = 0;
        String rest = code;
        while (true) {
            CompletionInfo info = analysis.analyzeCompletion(rest);
            int consumed = rest.length() - info.remaining().length();
            if (!info.completeness().isComplete() || consumed <= 0 || start + consumed >= at
                    || info.remaining().isBlank()) {
                return new int[] {start, code.length()};
            }
            start += consumed;
            rest = info.remaining();
        }
    }

    @Override
    public ReplacementOptions complete(String code, int at) {
        JShell shell = shellIfReady();
        if (shell == null) return null;
        SourceCodeAnalysis analysis = shell.sourceCodeAnalysis();
        String masked = maskMagics(code);
        int[] range = snippetAround(analysis, masked, at);
        String snippet = masked.substring(range[0], range[1]);
        int[] anchor = new int[1];
        List<Suggestion> suggestions = analysis.completionSuggestions(snippet, at - range[0], anchor);
        Set<String> matches = new LinkedHashSet<>();
        suggestions.stream().filter(Suggestion::matchesType).forEach(s -> matches.add(s.continuation()));
        suggestions.forEach(s -> matches.add(s.continuation()));
        return new ReplacementOptions(new ArrayList<>(matches), range[0] + anchor[0], at);
    }

    @Override
    public DisplayData inspect(String code, int at, boolean extraDetail) {
        JShell shell = shellIfReady();
        if (shell == null) return null;
        SourceCodeAnalysis analysis = shell.sourceCodeAnalysis();
        String masked = maskMagics(code);
        int[] range = snippetAround(analysis, masked, Math.min(at, masked.length()));
        String snippet = masked.substring(range[0], range[1]);
        int cursor = Math.min(at - range[0], snippet.length());
        int end = cursor;
        while (end < snippet.length() && Character.isJavaIdentifierPart(snippet.charAt(end))) end++;
        int begin = cursor;
        while (begin > 0 && Character.isJavaIdentifierPart(snippet.charAt(begin - 1))) begin--;
        String word = snippet.substring(begin, end);

        List<Documentation> docs = documentation(analysis, snippet, end);
        if (docs.isEmpty()) docs = documentation(analysis, snippet.substring(0, end) + "(", end + 1);
        StringBuilder text = new StringBuilder();
        for (Documentation d : docs.subList(0, Math.min(MAX_DOCS, docs.size()))) {
            if (text.length() > 0) text.append("\n\n");
            text.append(d.signature());
            if (d.javadoc() != null && !d.javadoc().isBlank()) text.append("\n").append(d.javadoc().strip());
        }
        if (text.length() == 0 && !word.isEmpty()) text.append(describeDeclared(shell, word));
        if (text.length() == 0) return null;
        DisplayData out = new DisplayData(text.toString());
        return out;
    }

    private static List<Documentation> documentation(SourceCodeAnalysis analysis, String code, int cursor) {
        try {
            return analysis.documentation(code, cursor, true);
        } catch (RuntimeException e) {
            LOG.debug("documentation({}) failed: {}", code, e.toString());
            return List.of();
        }
    }

    /** A variable, method or class the notebook declared, by name. */
    private String describeDeclared(JShell shell, String name) {
        StringBuilder out = new StringBuilder();
        shell.variables().filter(v -> v.name().equals(name) && shell.status(v).isActive()).forEach(v -> {
            String value;
            try {
                Object obj = control().takeResult(shell.varValue(v));
                value = obj == NO_VALUE ? "" : " = " + abbreviate(String.valueOf(obj), 300);
            } catch (RuntimeException e) {
                value = "";
            }
            out.append(v.typeName()).append(' ').append(v.name()).append(value).append('\n');
        });
        shell.methods().filter(m -> m.name().equals(name) && shell.status(m).isActive())
                .forEach(m -> out.append(m.signature()).append(' ').append(m.name()).append('\n'));
        shell.types().filter(t -> t.name().equals(name) && shell.status(t).isActive())
                .forEach(t -> out.append(t.source().strip().lines().findFirst().orElse("")).append('\n'));
        return out.toString().strip();
    }

    static String abbreviate(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max) + "…";
    }

    @Override
    public String isComplete(String code) {
        JShell shell = shellIfReady();
        if (shell == null) return IS_COMPLETE_MAYBE;
        if (magicParser.parseCellMagic(code) != null) return IS_COMPLETE_YES;
        SourceCodeAnalysis analysis = shell.sourceCodeAnalysis();
        String rest = maskMagics(code);
        while (true) {
            CompletionInfo info = analysis.analyzeCompletion(rest);
            switch (info.completeness()) {
                case EMPTY:
                    return IS_COMPLETE_YES;
                case COMPLETE:
                case COMPLETE_WITH_SEMI:
                    if (info.remaining().isBlank()) return IS_COMPLETE_YES;
                    rest = info.remaining();
                    break;
                case DEFINITELY_INCOMPLETE:
                case CONSIDERED_INCOMPLETE:
                    return indentFor(code);
                case UNKNOWN:
                default:
                    return IS_COMPLETE_BAD;
            }
        }
    }

    /** Four spaces per unclosed bracket (ignoring strings and comments roughly). */
    static String indentFor(String code) {
        int depth = 0;
        boolean inString = false;
        char quote = 0;
        for (int i = 0; i < code.length(); i++) {
            char ch = code.charAt(i);
            if (inString) {
                if (ch == '\\') i++;
                else if (ch == quote) inString = false;
            } else if (ch == '"' || ch == '\'') {
                inString = true;
                quote = ch;
            } else if (ch == '{' || ch == '(' || ch == '[') {
                depth++;
            } else if (ch == '}' || ch == ')' || ch == ']') {
                depth = Math.max(0, depth - 1);
            }
        }
        return "    ".repeat(Math.max(1, depth));
    }

    // ------------------------------------------------------------------ protocol details

    @Override
    public LanguageInfo getLanguageInfo() {
        return new LanguageInfo.Builder("java")
                .version(Runtime.version().toString())
                .mimetype("text/x-java-source")
                .fileExtension(".jshell")
                .pygments("java")
                .codemirror("text/x-java")
                .build();
    }

    @Override
    public String getBanner() {
        return "Java " + Runtime.version() + " (JShell) - gptcourse kernel: IJava-compatible, with the course "
                + "library, ND4J, XChart and Tablesaw on the classpath";
    }

    @Override
    public List<LanguageInfo.Help> getHelpLinks() {
        return List.of(new LanguageInfo.Help("Java 17 API", "https://docs.oracle.com/en/java/javase/17/docs/api/"),
                new LanguageInfo.Help("ND4J", "https://deeplearning4j.konduit.ai/nd4j/how-to-guides"));
    }

    @Override
    public HistoryManager getHistoryManager() {
        return history;
    }

    @Override
    public List<String> formatError(Exception e) {
        if (e instanceof CellError ce) return ce.traceback();
        LOG.warn("Unexpected kernel error: {}", e.toString());
        return List.of(CellError.red(e.getClass().getSimpleName() + ": " + e.getMessage()));
    }

    /**
     * Replaces the library's kernel_info, history, interrupt, shutdown and comm_info handlers, whose replies
     * lack the {@code status} field (and, for history, the array encoding) the protocol requires.
     */
    @Override
    public void becomeHandlerForConnection(JupyterConnection connection) {
        super.becomeHandlerForConnection(connection);
        // Keep the running cell's reply environment, for clear_output (the base library has no hook for it).
        ShellHandler<ExecuteRequest> execute = connection.getHandler(MessageType.EXECUTE_REQUEST);
        connection.setHandler(MessageType.EXECUTE_REQUEST, (env, message) -> {
            ExecuteRequest request = message.getContent();
            if (request.isSilent()) {
                executeSilently(env, message);
                return;
            }
            executeEnv = env;
            storeHistory = request.shouldStoreHistory();
            try {
                execute.handle(env, message);
            } finally {
                executeEnv = null;
                // store_history=false: the cell gets the current number but does not use it up (as in IPython)
                if (!storeHistory) executionCount.decrementAndGet();
                storeHistory = true;
            }
        });
        connection.setHandler(MessageType.KERNEL_INFO_REQUEST, this::handleKernelInfo);
        connection.setHandler(MessageType.HISTORY_REQUEST, this::handleHistory);
        connection.setHandler(MessageType.INTERRUPT_REQUEST, this::handleInterrupt);
        connection.setHandler(MessageType.SHUTDOWN_REQUEST, this::handleShutdown);
        connection.setHandler(MessageType.COMM_INFO_REQUEST, this::handleCommInfo);
    }

    /** comm_info_reply content; the course opens no comms. */
    record CommInfoOk(String status, Map<String, Object> comms) {
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private void handleCommInfo(ShellReplyEnvironment env, Message<?> request) {
        env.setBusyDeferIdle();
        env.reply(new Message(env.getContext(), MessageType.COMM_INFO_REPLY, new CommInfoOk("ok", Map.of())));
    }

    /** kernel_info_reply with the {@code status} field. */
    static final class KernelInfoOk extends KernelInfoReply {
        @SuppressWarnings("unused")
        private final String status = "ok";
        @SuppressWarnings("unused")
        private final boolean debugger = false;

        KernelInfoOk(String protocolVersion, String implementation, String version, LanguageInfo info,
                     String banner, List<LanguageInfo.Help> help) {
            super(protocolVersion, implementation, version, info, banner, help);
        }
    }

    /** interrupt_reply with the {@code status} field. */
    static final class InterruptOk extends InterruptReply {
        @SuppressWarnings("unused")
        private final String status = "ok";
    }

    /** shutdown_reply content. */
    record ShutdownOk(String status, boolean restart) {
    }

    /** history_reply content: entries as {@code [session, line, input]} or {@code [session, line, [input, output]]}. */
    record HistoryOk(String status, List<List<Object>> history) {
    }

    private void handleKernelInfo(ShellReplyEnvironment env, Message<KernelInfoRequest> request) {
        env.setBusyDeferIdle();
        env.reply(new KernelInfoOk(io.github.spencerpark.jupyter.messages.Header.PROTOCOL_VERISON,
                KERNEL_META.getOrDefault("project", "gptcourse-kernel"), KERNEL_META.getOrDefault("version", "unknown"),
                getLanguageInfo(), getBanner(), getHelpLinks()));
    }

    private void handleInterrupt(ShellReplyEnvironment env, Message<InterruptRequest> request) {
        env.setBusyDeferIdle();
        env.defer().reply(new InterruptOk());
        interrupt();
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private void handleShutdown(ShellReplyEnvironment env, Message<ShutdownRequest> request) {
        boolean restart = request.getContent().isRestart();
        env.setBusyDeferIdle();
        env.defer().reply(new Message(env.getContext(), MessageType.SHUTDOWN_REPLY, new ShutdownOk("ok", restart)));
        onShutdown(restart);
        env.resolveDeferrals();
        env.markForShutdown();
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private void handleHistory(ShellReplyEnvironment env, Message<HistoryRequest> message) {
        HistoryRequest request = message.getContent();
        env.setBusyDeferIdle();
        Set<HistoryManager.ResultFlag> flags = EnumSet.noneOf(HistoryManager.ResultFlag.class);
        if (request.includeOutput()) flags.add(HistoryManager.ResultFlag.INCLUDE_OUTPUT);
        List<HistoryEntry> entries = switch (request.getAccessType()) {
            case TAIL -> history.lookupTail(((HistoryRequest.Tail) request).getMaxReturnLength(), flags);
            case RANGE -> {
                HistoryRequest.Range r = (HistoryRequest.Range) request;
                yield history.lookupRange(r.getSessionIndex(), r.getStart(), r.getStop(), flags);
            }
            case SEARCH -> {
                HistoryRequest.Search s = (HistoryRequest.Search) request;
                if (s.filterUnique()) flags.add(HistoryManager.ResultFlag.UNIQUE);
                yield history.search(s.getPattern(), s.getMaxReturnLength(), flags);
            }
        };
        List<List<Object>> rows = new ArrayList<>();
        for (HistoryEntry e : entries) {
            Object input = request.includeOutput() ? List.of(e.getInput(), e.getOutput() == null ? "" : e.getOutput())
                    : e.getInput();
            rows.add(List.of(e.getSession(), e.getCellNumber(), input));
        }
        env.reply(new Message(env.getContext(), MessageType.HISTORY_REPLY, new HistoryOk("ok", rows)));
    }

    static String stripAnsi(String s) {
        return s.replaceAll("\u001B\\[[;\\d]*m", "");
    }

    // ------------------------------------------------------------------ errors shown in the notebook

    /** An error with the few lines the notebook shows (no Java stack trace). */
    static class CellError extends Exception {
        private final List<String> traceback;

        /**
         * @param kind      the error's kind, e.g. "CompilationError"; the notebook's {@code ename} is the
         *                  simple name of the class, so each kind has its own small subclass
         * @param message   the one-line summary ({@code evalue})
         * @param traceback the lines the notebook shows
         */
        CellError(String kind, String message, List<String> traceback) {
            super(message, null, false, false);
            this.traceback = List.copyOf(traceback);
        }

        static CellError of(String kind, String message, List<String> traceback) {
            return switch (kind) {
                case "CompilationError" -> new CompilationError(message, traceback);
                case "Interrupted" -> new Interrupted(message, traceback);
                case "MagicError" -> new MagicError(message, traceback);
                case "KernelError" -> new KernelError(message, traceback);
                default -> new EvaluationError(message, traceback);
            };
        }

        List<String> traceback() {
            return traceback;
        }

        static String red(String s) {
            return "\u001B[1;31m" + s + "\u001B[0m";
        }

        static CellError stopped(String msg) {
            return CellError.of("Interrupted", msg, List.of(red(msg)));
        }

        static CellError incomplete(String src, int line) {
            String first = src.lines().findFirst().orElse("");
            String msg = "This code is incomplete (a '}', ')' or ';' may be missing) at cell line " + (line + 1) + ": "
                    + abbreviate(first, 80);
            return CellError.of("CompilationError", msg, List.of(red(msg)));
        }

        static CellError magic(String name, Exception e, int line) {
            String msg = "%" + name + " failed at cell line " + line + ": " + e.getMessage();
            return CellError.of("MagicError", msg, List.of(red(msg)));
        }

        static CellError compile(List<Diag> diags, String src, int startLine) {
            List<String> lines = new ArrayList<>();
            String firstMessage = null;
            for (Diag d : diags) {
                if (!d.isError()) continue;
                String message = d.getMessage(Locale.ENGLISH);
                if (firstMessage == null) firstMessage = message.lines().findFirst().orElse(message);
                long pos = Math.max(0, Math.min(d.getStartPosition() >= 0 ? d.getStartPosition() : d.getPosition(), src.length()));
                long endPos = Math.max(pos + 1, Math.min(d.getEndPosition(), src.length()));
                int lineStart = src.lastIndexOf('\n', (int) pos - 1) + 1;
                int lineEnd = src.indexOf('\n', (int) pos);
                if (lineEnd < 0) lineEnd = src.length();
                int lead = 0;
                while (lead < src.length() && Character.isWhitespace(src.charAt(lead))) lead++;
                int lineNo = startLine + countNewlines(src, (int) pos) - countNewlines(src, lead) + 1;
                String[] msgLines = message.split("\n");
                lines.add(red("error: " + msgLines[0]) + "  (cell line " + lineNo + ")");
                for (int i = 1; i < msgLines.length; i++) {
                    // JShell wraps snippets in a nameless class: "location: class " says nothing
                    if (!msgLines[i].strip().equals("location: class")) lines.add("  " + msgLines[i].strip());
                }
                String srcLine = src.substring(lineStart, lineEnd);
                lines.add("    " + srcLine);
                int caretLen = (int) Math.max(1, Math.min(endPos, lineEnd) - pos);
                lines.add("    " + " ".repeat((int) pos - lineStart) + "^".repeat(caretLen));
            }
            if (lines.isEmpty()) {
                firstMessage = "This code can't be compiled.";
                lines.add(red(firstMessage));
            }
            return CellError.of("CompilationError", firstMessage, lines);
        }

        static CellError exception(EvalException e, String snippetId, String src, int startLine) {
            String cls = e.getExceptionClassName();
            String simple = cls.substring(cls.lastIndexOf('.') + 1);
            String message = e.getMessage();
            List<String> lines = new ArrayList<>();
            lines.add(red(simple + (message == null || message.isBlank() ? "" : ": " + message)));
            StackTraceElement thrownAt = null;
            for (StackTraceElement el : e.getStackTrace()) {
                String file = el.getFileName();
                if (file != null && file.startsWith("#")) {
                    String id = file.substring(1);
                    if (id.equals(snippetId) && el.getLineNumber() > 0) {
                        int lineNo = startLine + el.getLineNumber();
                        String srcLine = src.lines().skip(el.getLineNumber() - 1L).findFirst().orElse("").strip();
                        lines.add("    at cell line " + lineNo + ": " + abbreviate(srcLine, 100));
                    } else {
                        lines.add("    in " + el.getMethodName() + "(...), declared in an earlier cell");
                    }
                    break;
                }
                if (thrownAt == null && !el.getClassName().startsWith("java.") && !el.getClassName().startsWith("jdk.")
                        && !el.getClassName().startsWith("gptcourse.kernel.")) {
                    thrownAt = el;
                }
            }
            if (thrownAt != null) lines.add(1, "    thrown by " + thrownAt);
            for (Throwable cause = e.getCause(); cause != null && lines.size() < 8; cause = cause.getCause()) {
                String cn = cause instanceof EvalException ce ? ce.getExceptionClassName() : cause.getClass().getName();
                lines.add("    caused by " + cn.substring(cn.lastIndexOf('.') + 1) + ": " + cause.getMessage());
            }
            if (cls.equals("java.lang.OutOfMemoryError")) {
                lines.add("The kernel is still running. Free memory (smaller batches or models, or drop big variables) "
                        + "or restart the kernel.");
            } else if (cls.equals("java.lang.StackOverflowError")) {
                lines.add("A method called itself too deeply (infinite recursion?). The kernel is still running.");
            }
            return CellError.of("EvaluationError", simple + (message == null ? "" : ": " + message), lines);
        }
    }

    /** Code that does not compile. */
    static final class CompilationError extends CellError {
        CompilationError(String message, List<String> traceback) {
            super("CompilationError", message, traceback);
        }
    }

    /** An exception thrown by the cell's code. */
    static final class EvaluationError extends CellError {
        EvaluationError(String message, List<String> traceback) {
            super("EvaluationError", message, traceback);
        }
    }

    /** The cell was interrupted or hit IJAVA_TIMEOUT. */
    static final class Interrupted extends CellError {
        Interrupted(String message, List<String> traceback) {
            super("Interrupted", message, traceback);
        }
    }

    /** A magic ({@code %maven}, {@code %jars}, ...) failed. */
    static final class MagicError extends CellError {
        MagicError(String message, List<String> traceback) {
            super("MagicError", message, traceback);
        }
    }

    /** The kernel itself could not run the cell. */
    static final class KernelError extends CellError {
        KernelError(String message, List<String> traceback) {
            super("KernelError", message, traceback);
        }
    }
}
