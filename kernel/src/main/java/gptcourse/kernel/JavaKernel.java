package gptcourse.kernel;

import java.util.List;
import java.util.Map;

import io.github.spencerpark.jupyter.channels.JupyterConnection;
import io.github.spencerpark.jupyter.channels.ShellHandler;
import io.github.spencerpark.jupyter.channels.ShellReplyEnvironment;
import io.github.spencerpark.jupyter.kernel.BaseKernel;
import io.github.spencerpark.jupyter.kernel.LanguageInfo;
import io.github.spencerpark.jupyter.kernel.ReplacementOptions;
import io.github.spencerpark.jupyter.kernel.display.DisplayData;
import io.github.spencerpark.jupyter.kernel.display.mime.MIMEType;
import io.github.spencerpark.jupyter.kernel.history.HistoryManager;
import io.github.spencerpark.jupyter.messages.ContentType;
import io.github.spencerpark.jupyter.messages.Message;
import io.github.spencerpark.jupyter.messages.MessageType;
import io.github.spencerpark.jupyter.messages.publish.PublishClearOutput;
import io.github.spencerpark.jupyter.messages.publish.PublishDisplayData;
import io.github.spencerpark.jupyter.messages.publish.PublishUpdateDisplayData;
import io.github.spencerpark.jupyter.messages.reply.ErrorReply;
import io.github.spencerpark.jupyter.messages.reply.ExecuteReply;
import io.github.spencerpark.jupyter.messages.request.ExecuteRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The course's Java kernel: JShell cells on the Jupyter wire protocol, IJava-compatible. This
 * class wires the parts: {@link CodeEvaluator} runs cells, {@link ErrorFormatter} writes their
 * errors, {@link KernelMagics} the magics, {@link CodeInspector} completes and inspects,
 * {@link OutputRouter} and {@link IOPubOutput} send what cells print and display, in order and
 * batched, to the cell that made it; {@link ProtocolHandlers} answers the other requests.
 */
public final class JavaKernel extends BaseKernel {
    private static final Logger LOG = LoggerFactory.getLogger(JavaKernel.class);

    private static volatile JavaKernel current;

    private final KernelHistory history = new KernelHistory();
    private final KernelConfig config;
    private final CodeEvaluator evaluator;
    private final KernelMagics magics;
    private final CodeInspector inspector;
    private final OutputRouter router;
    private volatile IOPubOutput output;
    private volatile boolean storeHistory = true;

    /**
     * @param config settings from the IJAVA_* environment variables
     * @param router the JVM's System.out/err, routed to cells
     */
    public JavaKernel(KernelConfig config, OutputRouter router) {
        this.config = config;
        this.router = router;
        this.evaluator = new CodeEvaluator(config);
        this.magics = new KernelMagics(evaluator, new MavenResolver());
        this.evaluator.setMagics(magics);
        this.inspector = new CodeInspector(evaluator);
        setShouldReplaceStdStreams(false); // the router replaced them once, for every thread
        BuiltInStartup.registerRenderers(config, getRenderer());
        current = this;
    }

    /** @return true while a kernel runs in this JVM (the library asks, by reflection, before it shows charts) */
    public static boolean isRunning() {
        return current != null;
    }

    /**
     * @return the running kernel, for {@link Display}, {@link Magics} and {@link ProgressBar}
     * @throws IllegalStateException outside a kernel
     */
    static JavaKernel current() {
        JavaKernel k = current;
        if (k == null) throw new IllegalStateException("display(...) works only inside the notebook kernel.");
        return k;
    }

    static Map<String, String> metadata() {
        return KERNEL_META;
    }

    /** Builds JShell and runs the startup scripts in the background; the first cell waits for them. */
    void startInBackground() {
        evaluator.startInBackground(BuiltInStartup.name(config), BuiltInStartup.script(config, StartupScript::course));
    }

    KernelMagics magics() {
        return magics;
    }

    CodeEvaluator evaluator() {
        return evaluator;
    }

    // ------------------------------------------------------------------ execution

    @Override
    public DisplayData eval(String code) throws Exception {
        int count = executionCount.get() - 1;
        boolean record = storeHistory;
        evaluator.shell(); // waits for the start-up, whose problems the first cell shows
        for (String note : evaluator.takeStartupNotes()) System.err.println(note);
        String shown = "";
        try {
            Object value = evaluator.runCell(code, SnippetSources.cell(count));
            DisplayData out = value == CodeEvaluator.NO_VALUE ? null : toDisplayData(value);
            if (out != null) shown = String.valueOf(out.getData(MIMEType.TEXT_PLAIN));
            return out;
        } finally {
            if (record) history.add(count, code, shown);
        }
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

    @Override
    public void becomeHandlerForConnection(JupyterConnection connection) {
        super.becomeHandlerForConnection(connection);
        if (connection instanceof GuardedConnection guarded) {
            output = guarded.output();
            router.connect(output);
        }
        ShellHandler<ExecuteRequest> execute = connection.getHandler(MessageType.EXECUTE_REQUEST);
        connection.setHandler(MessageType.EXECUTE_REQUEST, (env, message) -> {
            ExecuteRequest request = message.getContent();
            CellContext cell = new CellContext(message, request.isSilent());
            router.cellStarted(cell);
            try {
                if (request.isSilent()) {
                    executeSilently(env, message);
                    return;
                }
                storeHistory = request.shouldStoreHistory();
                execute.handle(env, message);
            } finally {
                router.cellFinished(cell);
                if (!request.isSilent() && !storeHistory) {
                    // store_history=false: the cell gets the current number but does not use it up (as in IPython)
                    executionCount.decrementAndGet();
                }
                storeHistory = true;
            }
        });
        new ProtocolHandlers(this, history).install(connection);
    }

    /** A {@code silent} execute_request: run the code, publish nothing, keep the execution count. */
    private void executeSilently(ShellReplyEnvironment env, Message<ExecuteRequest> message) {
        env.setBusyDeferIdle();
        try {
            evaluator.runCell(message.getContent().getCode(), "silent cell");
            env.defer().reply(new ExecuteReply(executionCount.get(), Map.of()));
        } catch (Exception e) {
            ErrorReply error = ErrorReply.of(e);
            error.setExecutionCount(executionCount.get());
            env.defer().replyError(ExecuteReply.MESSAGE_TYPE.error(), error);
        }
    }

    // ------------------------------------------------------------------ display, from any thread

    /** Shows {@code data} in the cell the calling thread prints to. */
    @Override
    public void display(DisplayData data) {
        publish(PublishDisplayData.MESSAGE_TYPE, new PublishDisplayData(data));
    }

    /** Replaces the output shown with {@code id}. */
    void updateDisplay(String id, DisplayData data) {
        data.setDisplayId(id);
        publish(PublishUpdateDisplayData.MESSAGE_TYPE, new PublishUpdateDisplayData(data));
    }

    /**
     * Clears the output of the cell the calling thread prints to ({@code clear_output}).
     *
     * @param wait true to clear only when the next output arrives (no flicker in animations)
     */
    void clearOutput(boolean wait) {
        publish(PublishClearOutput.MESSAGE_TYPE, wait ? PublishClearOutput.BEFORE_NEXT_OUTPUT : PublishClearOutput.NOW);
    }

    private <T extends ContentType<T>> void publish(MessageType<T> type, T content) {
        IOPubOutput out = output;
        CellContext cell = router.target();
        if (out == null || cell == null || cell.silent()) return;
        out.publish(new Message<>(cell.request(), type, content));
    }

    // ------------------------------------------------------------------ completion, inspection

    @Override
    public ReplacementOptions complete(String code, int at) {
        return inspector.complete(code, at);
    }

    @Override
    public DisplayData inspect(String code, int at, boolean extraDetail) {
        return inspector.inspect(code, at);
    }

    @Override
    public String isComplete(String code) {
        return inspector.isComplete(code);
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

    @Override
    public void interrupt() {
        evaluator.interrupt();
        LOG.info("Interrupt requested");
    }

    @Override
    public void onShutdown(boolean isRestarting) {
        LOG.info("Shutting down (restart: {})", isRestarting);
        IOPubOutput out = output;
        if (out != null) out.flush();
        evaluator.close();
    }
}
