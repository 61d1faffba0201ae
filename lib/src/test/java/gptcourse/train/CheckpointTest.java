package gptcourse.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import gptcourse.model.Config;
import gptcourse.model.DemoTransformer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Checkpoints are written atomically: a crash mid-write never leaves a corrupt one. */
class CheckpointTest {
    static final Config CFG = new Config().withDebug(false).withDModel(8).withNHeads(2).withDHead(4).withDMlp(16)
            .withNLayers(1).withNCtx(8).withDVocab(11);

    static void write(Path file, DemoTransformer model, long step) throws Exception {
        Checkpoint.write(file, step, 1, 2, 0.5, "proj", "run", new TransformerTrainingArgs(), CFG, null, model.stateDict(),
                Map.of());
    }

    @Test
    void roundTripsAndPicksTheLatestIgnoringUnfinishedWrites(@TempDir Path dir) throws Exception {
        DemoTransformer model = new DemoTransformer(CFG, 1);
        write(dir.resolve(Checkpoint.fileName(10)), model, 10);
        write(dir.resolve(Checkpoint.fileName(200)), model, 200);
        // what a crash in the middle of writing step 300 leaves behind
        Files.write(dir.resolve(Checkpoint.fileName(300) + ".3f9a0c2d17e4b6a5.tmp"), new byte[] {1, 2, 3});
        Checkpoint c = Checkpoint.read(dir);
        assertEquals(200, c.step());
        assertEquals(1, c.epoch());
        assertEquals(2, c.batchInEpoch());
        assertEquals(CFG, c.config());
        assertEquals("run", c.runName());
        INDArray before = model.stateDict().get("embed.W_E");
        assertEquals(before, c.model().get("embed.W_E"));
    }

    @Test
    void pruningKeepsTheNewestAndRemovesWhatAKilledWriteLeft(@TempDir Path dir) throws Exception {
        DemoTransformer model = new DemoTransformer(CFG, 1);
        for (long step : new long[] {1, 2, 3, 4}) {
            write(dir.resolve(Checkpoint.fileName(step)), model, step);
        }
        Files.write(dir.resolve(Checkpoint.fileName(5) + ".3f9a0c2d17e4b6a5.tmp"), new byte[] {1});
        // what earlier versions left
        Files.write(dir.resolve(Checkpoint.fileName(5) + ".tmp"), new byte[] {1});
        Files.write(dir.resolve(Checkpoint.fileName(5) + ".tmp12345.partial"), new byte[] {1});
        Files.write(dir.resolve("notes.txt"), new byte[] {1});
        Checkpoint.prune(dir, 3);
        try (var files = Files.list(dir)) {
            assertEquals(java.util.List.of("notes.txt", Checkpoint.fileName(2), Checkpoint.fileName(3),
                    Checkpoint.fileName(4)), files.map(p -> p.getFileName().toString()).sorted().toList());
        }
    }

    @Test
    void aFailedWriteLeavesThePreviousCheckpointIntact(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("c.safetensors");
        write(file, new DemoTransformer(CFG, 1), 5);
        byte[] good = Files.readAllBytes(file);
        IOException full = new IOException("No space left on device");
        FaultPoints.checkpointWritten = tmp -> {
            throw new UncheckedIOException(full);
        };
        try {
            UncheckedIOException e = assertThrows(UncheckedIOException.class,
                    () -> write(file, new DemoTransformer(CFG, 2), 6));
            assertSame(full, e.getCause());
        } finally {
            FaultPoints.checkpointWritten = p -> { };
        }
        assertArrayEquals(good, Files.readAllBytes(file));
        assertEquals(5, Checkpoint.read(file).step());
        try (var files = Files.list(dir)) {
            assertEquals(java.util.List.of(file), files.toList(), "the temporary file is deleted");
        }
    }

    @Test
    void unreadableFilesGiveOneClearMessage(@TempDir Path dir) throws Exception {
        Path truncated = dir.resolve("t.safetensors");
        write(truncated, new DemoTransformer(CFG, 1), 5);
        byte[] all = Files.readAllBytes(truncated);
        Files.write(truncated, java.util.Arrays.copyOf(all, all.length / 2));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Checkpoint.read(truncated));
        assertTrue(e.getMessage().startsWith("could not read the checkpoint"), e.getMessage());

        Path weightsOnly = dir.resolve("model.safetensors");
        new DemoTransformer(CFG, 1).save(weightsOnly);
        e = assertThrows(IllegalArgumentException.class, () -> Checkpoint.read(weightsOnly));
        assertTrue(e.getMessage().contains("is not a training checkpoint"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Checkpoint.read(dir.resolve("empty")));
        assertTrue(e.getMessage().contains("no checkpoint"), e.getMessage());
    }
}
