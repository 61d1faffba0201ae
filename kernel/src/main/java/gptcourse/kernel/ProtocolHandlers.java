package gptcourse.kernel;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.github.spencerpark.jupyter.channels.JupyterConnection;
import io.github.spencerpark.jupyter.channels.ShellReplyEnvironment;
import io.github.spencerpark.jupyter.kernel.LanguageInfo;
import io.github.spencerpark.jupyter.kernel.history.HistoryEntry;
import io.github.spencerpark.jupyter.kernel.history.HistoryManager;
import io.github.spencerpark.jupyter.messages.Header;
import io.github.spencerpark.jupyter.messages.Message;
import io.github.spencerpark.jupyter.messages.MessageType;
import io.github.spencerpark.jupyter.messages.reply.InterruptReply;
import io.github.spencerpark.jupyter.messages.reply.KernelInfoReply;
import io.github.spencerpark.jupyter.messages.request.HistoryRequest;
import io.github.spencerpark.jupyter.messages.request.InterruptRequest;
import io.github.spencerpark.jupyter.messages.request.KernelInfoRequest;
import io.github.spencerpark.jupyter.messages.request.ShutdownRequest;

/**
 * The kernel_info, history, interrupt, shutdown and comm_info handlers. They replace the base
 * library's, whose replies lack the {@code status} field (and, for history, the array encoding)
 * the protocol requires.
 */
final class ProtocolHandlers {
    private final JavaKernel kernel;
    private final KernelHistory history;

    ProtocolHandlers(JavaKernel kernel, KernelHistory history) {
        this.kernel = kernel;
        this.history = history;
    }

    void install(JupyterConnection connection) {
        connection.setHandler(MessageType.KERNEL_INFO_REQUEST, this::handleKernelInfo);
        connection.setHandler(MessageType.HISTORY_REQUEST, this::handleHistory);
        connection.setHandler(MessageType.INTERRUPT_REQUEST, this::handleInterrupt);
        connection.setHandler(MessageType.SHUTDOWN_REQUEST, this::handleShutdown);
        connection.setHandler(MessageType.COMM_INFO_REQUEST, this::handleCommInfo);
    }

    /** comm_info_reply content; the course opens no comms. */
    record CommInfoOk(String status, Map<String, Object> comms) {
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

    @SuppressWarnings({"unchecked", "rawtypes"})
    private void handleCommInfo(ShellReplyEnvironment env, Message<?> request) {
        env.setBusyDeferIdle();
        env.reply(new Message(env.getContext(), MessageType.COMM_INFO_REPLY, new CommInfoOk("ok", Map.of())));
    }

    private void handleKernelInfo(ShellReplyEnvironment env, Message<KernelInfoRequest> request) {
        env.setBusyDeferIdle();
        Map<String, String> meta = JavaKernel.metadata();
        env.reply(new KernelInfoOk(Header.PROTOCOL_VERISON, meta.getOrDefault("project", "gptcourse-kernel"),
                meta.getOrDefault("version", "unknown"), kernel.getLanguageInfo(), kernel.getBanner(),
                kernel.getHelpLinks()));
    }

    private void handleInterrupt(ShellReplyEnvironment env, Message<InterruptRequest> request) {
        env.setBusyDeferIdle();
        env.defer().reply(new InterruptOk());
        kernel.interrupt();
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private void handleShutdown(ShellReplyEnvironment env, Message<ShutdownRequest> request) {
        boolean restart = request.getContent().isRestart();
        env.setBusyDeferIdle();
        env.defer().reply(new Message(env.getContext(), MessageType.SHUTDOWN_REPLY, new ShutdownOk("ok", restart)));
        kernel.onShutdown(restart);
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
}
