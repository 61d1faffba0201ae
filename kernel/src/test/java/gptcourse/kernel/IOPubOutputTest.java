package gptcourse.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.github.spencerpark.jupyter.messages.Message;
import io.github.spencerpark.jupyter.messages.publish.PublishStatus;
import io.github.spencerpark.jupyter.messages.publish.PublishStream;
import org.junit.jupiter.api.Test;

/** Printed text is batched per cell and stream, and never overtaken by a later message. */
class IOPubOutputTest {
    private final List<Message<?>> sent = Collections.synchronizedList(new ArrayList<>());
    private final IOPubOutput output = new IOPubOutput(sent::add);
    private final CellContext cell = new CellContext(null, false);

    private String text(int i) {
        return ((PublishStream) sent.get(i).getContent()).getText();
    }

    @Test
    void manyLinesBecomeFewMessages() {
        StringBuilder all = new StringBuilder();
        for (int i = 0; i < 100_000; i++) {
            String line = "line " + i + "\n";
            output.write(cell, PublishStream.StreamType.OUT, line);
            all.append(line);
        }
        output.flush();
        StringBuilder got = new StringBuilder();
        for (int i = 0; i < sent.size(); i++) got.append(text(i));
        assertEquals(all.toString(), got.toString());
        assertTrue(sent.size() < 100, sent.size() + " messages");
    }

    @Test
    void textIsSentBeforeTheNextMessage() {
        output.write(cell, PublishStream.StreamType.OUT, "a");
        output.write(cell, PublishStream.StreamType.ERR, "b");
        output.write(cell, PublishStream.StreamType.OUT, "c");
        output.publish(new Message<>(null, PublishStatus.MESSAGE_TYPE, PublishStatus.IDLE));
        assertEquals(3, sent.size());
        assertEquals("ac", text(0));
        assertEquals("b", text(1));
        assertTrue(sent.get(2).getContent() instanceof PublishStatus);
    }

    @Test
    void aLoneLineIsSentSoonWithoutAFlush() throws InterruptedException {
        output.write(cell, PublishStream.StreamType.OUT, "alone\n");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30); // generous: a loaded machine
        while (sent.isEmpty() && System.nanoTime() < deadline) Thread.sleep(10);
        assertEquals("alone\n", text(0));
    }

    @Test
    void silentCellsPrintNothing() {
        output.write(new CellContext(null, true), PublishStream.StreamType.OUT, "hidden");
        output.flush();
        assertTrue(sent.isEmpty());
    }

    @Test
    void splitUtf8SequencesAreNotCut() {
        byte[] e = "é€😀".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        assertEquals(e.length, OutputRouter.completeUtf8Prefix(e));
        assertEquals(2, OutputRouter.completeUtf8Prefix(java.util.Arrays.copyOf(e, 3)));
        assertEquals(5, OutputRouter.completeUtf8Prefix(java.util.Arrays.copyOf(e, 7)));
        assertEquals(0, OutputRouter.completeUtf8Prefix(java.util.Arrays.copyOf(e, 1)));
    }
}
