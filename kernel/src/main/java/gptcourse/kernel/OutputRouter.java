package gptcourse.kernel;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ForkJoinWorkerThread;

import io.github.spencerpark.jupyter.messages.publish.PublishStream;

/**
 * {@code System.out} and {@code System.err} of the kernel's JVM, sending what is printed to the
 * right cell: a thread's output goes to the cell that started it (threads inherit the cell), while
 * that cell runs and after it has finished, as ipykernel does; threads no cell started (pools,
 * libraries' own threads) print into the running cell, else the last one. Before the first cell,
 * text goes to the kernel's log (its original stderr/stdout).
 */
final class OutputRouter {
    private static final InheritableThreadLocal<CellContext> STARTED_BY = new InheritableThreadLocal<>();

    private final PrintStream logOut;
    private final PrintStream logErr;
    private volatile IOPubOutput output;
    private volatile CellContext running;
    private volatile CellContext last;

    /**
     * @param logOut where text goes before any cell (the process's stdout)
     * @param logErr likewise for stderr
     */
    OutputRouter(PrintStream logOut, PrintStream logErr) {
        this.logOut = logOut;
        this.logErr = logErr;
    }

    /** Replaces {@code System.out} and {@code System.err} by this router's streams. */
    void install() {
        System.setOut(stream(PublishStream.StreamType.OUT));
        System.setErr(stream(PublishStream.StreamType.ERR));
    }

    void connect(IOPubOutput out) {
        this.output = out;
    }

    /** Marks {@code cell} as running on this thread (and the threads it starts). */
    void cellStarted(CellContext cell) {
        STARTED_BY.set(cell);
        running = cell;
        if (!cell.silent()) last = cell;
    }

    /** The cell's own run is over; its threads keep printing into it. */
    void cellFinished(CellContext cell) {
        if (running == cell) running = null;
        STARTED_BY.remove();
        IOPubOutput out = output;
        if (out != null) out.flush();
    }

    /** @return the cell that output of the current thread belongs to, or null before any cell */
    CellContext target() {
        CellContext started = STARTED_BY.get();
        if (started == null || Thread.currentThread() instanceof ForkJoinWorkerThread) {
            // pool threads outlive the cell that happened to create them
            CellContext now = running;
            return now != null ? now : last;
        }
        return started;
    }

    PrintStream stream(PublishStream.StreamType type) {
        return new PrintStream(new CellStream(type), false, StandardCharsets.UTF_8);
    }

    /** Bytes printed by the notebook's code, decoded per thread (UTF-8 sequences may be split across writes). */
    private final class CellStream extends OutputStream {
        private final PublishStream.StreamType type;
        private final ThreadLocal<byte[]> carry = new ThreadLocal<>();

        CellStream(PublishStream.StreamType type) {
            this.type = type;
        }

        @Override
        public void write(int b) {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            byte[] held = carry.get();
            byte[] bytes;
            if (held != null) {
                bytes = new byte[held.length + len];
                System.arraycopy(held, 0, bytes, 0, held.length);
                System.arraycopy(b, off, bytes, held.length, len);
                carry.remove();
            } else {
                bytes = java.util.Arrays.copyOfRange(b, off, off + len);
            }
            int complete = completeUtf8Prefix(bytes);
            if (complete < bytes.length) carry.set(java.util.Arrays.copyOfRange(bytes, complete, bytes.length));
            if (complete == 0) return;
            String text = new String(bytes, 0, complete, StandardCharsets.UTF_8);
            CellContext cell = target();
            IOPubOutput out = output;
            if (cell == null || out == null) {
                PrintStream log = type == PublishStream.StreamType.OUT ? logOut : logErr;
                log.print(text);
                log.flush();
            } else {
                out.write(cell, type, text);
            }
        }
    }

    /** @return the length of the longest prefix that doesn't end inside a UTF-8 sequence */
    static int completeUtf8Prefix(byte[] bytes) {
        int n = bytes.length;
        // look back at most 3 bytes for the start of a multi-byte sequence
        for (int back = 1; back <= Math.min(3, n); back++) {
            int b = bytes[n - back] & 0xFF;
            if ((b & 0xC0) == 0x80) continue; // continuation byte
            int need = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 1;
            return need > back ? n - back : n;
        }
        return n;
    }
}
