package gptcourse.kernel;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import io.github.spencerpark.jupyter.messages.Message;
import io.github.spencerpark.jupyter.messages.publish.PublishStream;

/**
 * Everything the kernel publishes on iopub, in order, with printed text batched as ipykernel's
 * {@code OutStream} does: text is buffered per cell and stream and sent as one {@code stream}
 * message every {@link #FLUSH_INTERVAL_MS} ms, when {@link #FLUSH_CHARS} characters are waiting, and
 * before any other message (display data, results, errors, {@code idle}). So a loop printing a
 * line at a time sends a few messages a second instead of one per line (clients drop messages past
 * their rate limits, and ZeroMQ drops them past its queue limit), and text printed before a
 * {@code display(...)} or the cell's end always arrives before it.
 */
final class IOPubOutput {
    static final long FLUSH_INTERVAL_MS = 100;
    static final int FLUSH_CHARS = 64 * 1024;

    private record Key(CellContext cell, PublishStream.StreamType stream) {
    }

    private final Object lock = new Object();
    private final Consumer<Message<?>> socket;
    private final Map<Key, StringBuilder> pending = new LinkedHashMap<>();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "iopub-flush");
        t.setDaemon(true);
        return t;
    });
    private int pendingChars;
    private ScheduledFuture<?> scheduled;

    /**
     * @param socket sends one message on the iopub socket now (called with this object's lock held)
     */
    IOPubOutput(Consumer<Message<?>> socket) {
        this.socket = socket;
    }

    /** Buffers printed text for a cell's output; sent within {@link #FLUSH_INTERVAL_MS} ms. */
    void write(CellContext cell, PublishStream.StreamType stream, String text) {
        if (text.isEmpty() || cell.silent()) return;
        synchronized (lock) {
            pending.computeIfAbsent(new Key(cell, stream), k -> new StringBuilder()).append(text);
            pendingChars += text.length();
            if (pendingChars >= FLUSH_CHARS) {
                flushLocked();
            } else if (scheduled == null) {
                scheduled = timer.schedule(this::flush, FLUSH_INTERVAL_MS, TimeUnit.MILLISECONDS);
            }
        }
    }

    /** Sends all buffered text now. */
    void flush() {
        synchronized (lock) {
            flushLocked();
        }
    }

    /** Sends a message after the text printed before it. */
    void publish(Message<?> message) {
        synchronized (lock) {
            flushLocked();
            socket.accept(message);
        }
    }

    /** Sends what is buffered and stops the timer (at shutdown). */
    void close() {
        flush();
        timer.shutdownNow();
    }

    private void flushLocked() {
        if (scheduled != null) {
            scheduled.cancel(false);
            scheduled = null;
        }
        for (Map.Entry<Key, StringBuilder> e : pending.entrySet()) {
            PublishStream content = new PublishStream(e.getKey().stream(), e.getValue().toString());
            socket.accept(new Message<>(e.getKey().cell().request(), PublishStream.MESSAGE_TYPE, content));
        }
        pending.clear();
        pendingChars = 0;
    }
}
