package gptcourse.kernel;

import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;

import io.github.spencerpark.jupyter.channels.IOPubChannel;
import io.github.spencerpark.jupyter.channels.JupyterConnection;
import io.github.spencerpark.jupyter.channels.Loop;
import io.github.spencerpark.jupyter.channels.ShellChannel;
import io.github.spencerpark.jupyter.channels.ShellHandler;
import io.github.spencerpark.jupyter.channels.ShellReplyEnvironment;
import io.github.spencerpark.jupyter.kernel.KernelConnectionProperties;
import io.github.spencerpark.jupyter.messages.HMACGenerator;
import io.github.spencerpark.jupyter.messages.Message;
import io.github.spencerpark.jupyter.messages.MessageContext;
import io.github.spencerpark.jupyter.messages.MessageType;
import io.github.spencerpark.jupyter.messages.publish.PublishStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zeromq.ZMQ;

/**
 * The base library's connection with sturdier shell and control channels.
 *
 * <p>In jupyter-jvm-basekernel 2.3.0 a message with a bad HMAC signature throws out of the shell
 * channel's loop and silently ends it: one forged message would leave the kernel deaf. Here the
 * shell and control channels reject such a message, log one line (never the key), and go on.
 * They also wait on the socket instead of sleeping 50 ms between polls, which answers faster.
 * Everything sent on iopub goes through one {@link IOPubOutput}, which batches printed text and
 * keeps it in order with the other messages. Heartbeat and stdin are the library's own. Every socket
 * binds only to the transport, address and port named in the connection file.
 */
final class GuardedConnection extends JupyterConnection {
    private static final Logger LOG = LoggerFactory.getLogger(GuardedConnection.class);

    private final KernelConnectionProperties props;
    private final ZMQ.Context context = ZMQ.context(1);
    private final GuardedShellChannel guardedShell;
    private final GuardedShellChannel guardedControl;
    private final OrderedIOPub orderedIOPub;
    private final IOPubOutput output;

    GuardedConnection(KernelConnectionProperties props) throws NoSuchAlgorithmException, InvalidKeyException {
        super(props);
        this.props = props;
        HMACGenerator hmac = props.createHMACGenerator();
        if (props.getKey() == null || props.getKey().isEmpty()) {
            LOG.warn("The connection file has no key: messages are not signed or checked.");
        }
        this.guardedShell = new GuardedShellChannel(context, hmac, false, this);
        this.guardedControl = new GuardedShellChannel(context, hmac, true, this);
        this.orderedIOPub = new OrderedIOPub(context, hmac);
        this.output = new IOPubOutput(orderedIOPub::sendNow);
        orderedIOPub.output = output;
    }

    /** @return the ordered, batching publisher every iopub message goes through */
    IOPubOutput output() {
        return output;
    }

    @Override
    public IOPubChannel getIOPub() {
        return orderedIOPub;
    }

    @Override
    public ShellReplyEnvironment prepareReplyEnv(ShellChannel shell, MessageContext context) {
        return new ShellReplyEnvironment(shell, stdin, orderedIOPub, context) {
        };
    }

    @Override
    public void connect() {
        heartbeat.bind(props);
        stdin.bind(props);
        orderedIOPub.bind(props);
        guardedShell.bind(props);
        guardedControl.bind(props);
        getIOPub().sendMessage(new Message<>(null, PublishStatus.MESSAGE_TYPE, PublishStatus.STARTING));
        LOG.info("Listening on {}://{} (shell {}, control {}, iopub {}, stdin {}, hb {})", props.getTransport(),
                props.getIp(), props.getShellPort(), props.getControlPort(), props.getIopubPort(),
                props.getStdinPort(), props.getHbPort());
    }

    /** Stops the channels; each shell/control socket is closed by its own thread as its loop ends. */
    @Override
    public void close() {
        output.close();
        guardedShell.close();
        guardedControl.close();
        orderedIOPub.close();
        super.close();
    }

    @Override
    public void waitUntilClose() {
        guardedShell.waitUntilClose();
        guardedControl.waitUntilClose();
        super.waitUntilClose();
        context.close();
    }

    /** The iopub socket; each message first lets the printed text buffered before it go out. */
    private static final class OrderedIOPub extends IOPubChannel {
        private volatile IOPubOutput output;

        OrderedIOPub(ZMQ.Context zmq, HMACGenerator hmac) {
            super(zmq, hmac);
        }

        @Override
        public void sendMessage(Message<?> message) {
            IOPubOutput out = output;
            if (out == null) sendNow(message);
            else out.publish(message);
        }

        void sendNow(Message<?> message) {
            super.sendMessage(message);
        }
    }

    /** A shell/control channel whose loop survives bad messages. */
    private static final class GuardedShellChannel extends ShellChannel {
        private static final long POLL_MS = 100;

        private final boolean isControl;
        private final JupyterConnection connection;
        private final ZMQ.Context zmq;
        private volatile Loop loop;

        GuardedShellChannel(ZMQ.Context zmq, HMACGenerator hmac, boolean isControl, JupyterConnection connection) {
            super(zmq, hmac, isControl, connection);
            this.zmq = zmq;
            this.isControl = isControl;
            this.connection = connection;
        }

        private String channelName() {
            return isControl ? "control" : "shell";
        }

        @Override
        public void bind(KernelConnectionProperties p) {
            if (loop != null) throw new IllegalStateException(channelName() + " channel already bound");
            int port = isControl ? p.getControlPort() : p.getShellPort();
            bind(formatAddress(p.getTransport(), p.getIp(), port));
            ZMQ.Poller poller = zmq.poller(1);
            poller.register(this, ZMQ.Poller.POLLIN);
            Loop l = new Loop("jupyter-" + channelName(), () -> {
                if (poller.poll(POLL_MS) > 0) handleOne();
                return 0;
            });
            l.onError(t -> {
                LOG.error("The {} channel hit {}; it keeps listening.", channelName(), t.toString());
                return 0;
            });
            l.onClose(this::closeSocket);
            loop = l;
            l.start();
        }

        @SuppressWarnings({"unchecked", "rawtypes"})
        private void handleOne() {
            Message message;
            try {
                message = readMessage();
            } catch (SecurityException e) {
                LOG.warn("Rejected a message on the {} channel: its HMAC signature does not match the connection key.",
                        channelName());
                return;
            } catch (RuntimeException e) {
                LOG.warn("Dropped a malformed message on the {} channel: {}", channelName(), e.toString());
                return;
            }
            if (message == null) return;
            MessageType<?> type = message.getHeader().getType();
            ShellHandler handler = connection.getHandler(type);
            if (handler == null) {
                LOG.debug("No handler for message type '{}' on the {} channel", type.getName(), channelName());
                return;
            }
            ShellReplyEnvironment env = connection.prepareReplyEnv(this, message);
            try {
                handler.handle(env, message);
            } catch (Exception e) {
                LOG.error("Handling {} failed: {}", type.getName(), e.toString());
            } finally {
                env.resolveDeferrals();
            }
            if (env.isMarkedForShutdown()) {
                LOG.info("Shutdown requested; closing the connection.");
                connection.close();
            }
        }

        private synchronized void closeSocket() {
            if (!closed) super.close();
        }

        @Override
        public void close() {
            Loop l = loop;
            if (l != null) {
                l.shutdown();
            } else {
                closeSocket();
            }
        }

        @Override
        public void waitUntilClose() {
            Loop l = loop;
            if (l == null || l == Thread.currentThread()) return;
            try {
                l.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
