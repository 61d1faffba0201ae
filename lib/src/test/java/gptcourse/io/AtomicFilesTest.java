package gptcourse.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A write either replaces the whole file or leaves the old one and nothing else behind. */
class AtomicFilesTest {
    @TempDir
    Path dir;

    /** The folder's file names, sorted. */
    private List<String> names() {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void aStreamedWriteReplacesTheTarget() throws IOException {
        Path file = Files.writeString(dir.resolve("a.txt"), "old");
        AtomicFiles.write(file, out -> out.write("new".getBytes(StandardCharsets.UTF_8)));
        assertEquals("new", Files.readString(file));
        assertEquals(List.of("a.txt"), names(), "no temporary file is left");
    }

    @Test
    void theCallbackMayCloseTheStreamItWasGiven() throws IOException {
        Path file = dir.resolve("numbers.bin");
        AtomicFiles.write(file, out -> {
            try (DataOutputStream data = new DataOutputStream(out)) {
                data.writeInt(7);
                data.writeLong(8);
            }
        });
        assertEquals(12, Files.size(file));
        assertEquals(List.of("numbers.bin"), names());
    }

    @Test
    void bytesAreWrittenAtomicallyToo() throws IOException {
        Path file = dir.resolve("b.bin");
        AtomicFiles.write(file, new byte[] {1, 2, 3});
        AtomicFiles.write(file, new byte[] {4, 5});
        assertArrayEquals(new byte[] {4, 5}, Files.readAllBytes(file));
        assertEquals(List.of("b.bin"), names());
    }

    @Test
    void theTemporaryFileIsASiblingNamedAfterTheTarget() throws IOException {
        // Checkpoint.prune recognises what a killed write left by this name
        Path file = dir.resolve("step-000000001.safetensors");
        List<String> during = new ArrayList<>();
        AtomicFiles.write(file, out -> during.addAll(names()));
        assertEquals(1, during.size(), during::toString);
        String tmp = during.get(0);
        assertTrue(tmp.startsWith("step-000000001.safetensors.") && tmp.endsWith(".tmp"), tmp);
    }

    @Test
    void aChannelWriteCanReadBackAndPatchWhatItWrote() throws IOException {
        Path file = dir.resolve("c.bin");
        AtomicFiles.writeChannel(file, ch -> {
            ch.write(ByteBuffer.wrap("hello world".getBytes(StandardCharsets.US_ASCII)));
            ByteBuffer back = ByteBuffer.allocate(5);
            ch.read(back, 6);
            assertEquals("world", new String(back.array(), StandardCharsets.US_ASCII));
            ch.write(ByteBuffer.wrap("W".getBytes(StandardCharsets.US_ASCII)), 6);
        });
        assertEquals("hello World", Files.readString(file));
    }

    @Test
    void aCallbackThatThrowsLeavesTheOldFileAndNoTemporaryFile() throws IOException {
        Path file = Files.writeString(dir.resolve("keep.txt"), "old");
        IOException full = new IOException("No space left on device");
        IOException thrown = assertThrows(IOException.class, () -> AtomicFiles.write(file, out -> {
            out.write(new byte[100_000]);
            throw full;
        }));
        assertSame(full, thrown, "the callback's own exception comes out");
        IllegalStateException bug = new IllegalStateException("bug");
        assertSame(bug, assertThrows(IllegalStateException.class, () -> AtomicFiles.writeChannel(file, ch -> {
            ch.write(ByteBuffer.allocate(10));
            throw bug;
        })));
        assertEquals("old", Files.readString(file));
        assertEquals(List.of("keep.txt"), names(), "the temporary files are deleted (a full disk gets its space back)");
    }

    @Test
    void aFailedFirstWriteLeavesNothing() {
        Path file = dir.resolve("new.txt");
        assertThrows(IOException.class, () -> AtomicFiles.write(file, out -> {
            throw new IOException("nope");
        }));
        assertTrue(Files.notExists(file));
        assertEquals(List.of(), names());
    }

    @Test
    void concurrentWritersInOneFolderDoNotCollide() throws Exception {
        int writers = 8;
        int rounds = 25;
        CyclicBarrier start = new CyclicBarrier(writers);
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        try {
            List<Future<Void>> done = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                int id = w;
                done.add(pool.submit((Callable<Void>) () -> {
                    start.await();
                    for (int r = 0; r < rounds; r++) {
                        String text = ("writer " + id + " round " + r + "\n").repeat(200);
                        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
                        if (r % 2 == 0) {
                            AtomicFiles.write(dir.resolve("shared.txt"), out -> out.write(bytes));
                        } else {
                            AtomicFiles.write(dir.resolve("shared.txt"), bytes);
                        }
                        AtomicFiles.write(dir.resolve("own-" + id + ".txt"), bytes);
                    }
                    return null;
                }));
            }
            for (Future<Void> f : done) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        String shared = Files.readString(dir.resolve("shared.txt"));
        String line = shared.substring(0, shared.indexOf('\n') + 1);
        assertEquals(line.repeat(200), shared, "the shared file is one writer's whole content");
        for (int w = 0; w < writers; w++) {
            assertEquals(("writer " + w + " round " + (rounds - 1) + "\n").repeat(200),
                    Files.readString(dir.resolve("own-" + w + ".txt")));
        }
        assertEquals(writers + 1, names().size(), () -> "no temporary file is left: " + names());
    }

    @Test
    void aFailureIsOneLineThatNamesTheFile() {
        Path file = dir.resolve("missing-folder").resolve("x.json");
        IOException e = assertThrows(IOException.class, () -> AtomicFiles.write(file, new byte[] {1}));
        String message = AtomicFiles.failure("write", file, e).getMessage();
        assertTrue(message.startsWith("cannot write " + file.toAbsolutePath() + ": no such file or folder"), message);
        assertFalse(message.contains("\n"), message);

        Path full = dir.resolve("full.bin");
        IOException disk = assertThrows(IOException.class, () -> AtomicFiles.write(full, out -> {
            throw new IOException("No space left on device");
        }));
        assertEquals("cannot save the checkpoint " + full.toAbsolutePath() + ": No space left on device",
                AtomicFiles.failure("save the checkpoint", full, disk).getMessage());
    }
}
