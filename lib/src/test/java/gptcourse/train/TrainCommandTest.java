package gptcourse.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainCommandTest {
    static final String TINY = "--data stand-in --n-ctx 16 --d-model 8 --n-heads 2 --d-head 4 --d-mlp 16 --n-layers 1"
            + " --batch-size 8 --test-size 4 --max-steps-per-epoch 2 --num-proc 1";

    @Test
    void trainsHeadlessAndResumesFromTheRunFolder(@TempDir Path runs) throws Exception {
        TransformerTrainer trainer = TrainCommand.run(TINY + " --epochs 1 --wandb-name cmd --runs-dir " + runs);
        assertEquals(2, trainer.step);
        Path dir = runs.resolve("day1-demotransformer/cmd");
        assertTrue(Files.isRegularFile(dir.resolve("summary.json")));
        assertEquals(1, Checkpoint.list(dir).size(), "the end-of-epoch checkpoint");

        TransformerTrainer resumed = TrainCommand.run("--data stand-in --num-proc 1 --test-size 4 --runs-dir " + runs
                + " --resume " + dir);
        assertEquals(2, resumed.step, "the run was complete: resuming adds no steps");
        assertEquals(8, resumed.model.cfg.dModel(), "the model is the checkpoint's");

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TrainCommand.run(
                "--data stand-in --num-proc 1 --test-size 5 --runs-dir " + runs + " --resume " + dir));
        assertTrue(e.getMessage().contains("test rows (--test-size): checkpoint 4, now 5")
                && e.getMessage().contains("--force"), e.getMessage());
        TransformerTrainer forced = TrainCommand.run("--data stand-in --num-proc 1 --test-size 5 --force --runs-dir "
                + runs + " --resume " + dir);
        assertEquals(2, forced.step);
    }

    @Test
    void badArgumentsAreOneClearLine(@TempDir Path runs) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TrainCommand.run("--data nowhere.txt --runs-dir " + runs));
        assertTrue(e.getMessage().contains("--data must be auto, tinystories, stand-in or a stories file"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> TrainCommand.run(TINY.replace("--test-size 4",
                "--test-size 100000000") + " --runs-dir " + runs));
        assertTrue(e.getMessage().startsWith("--test-size must be between 1 and "), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> TrainCommand.run("--epochs 0"));
        assertEquals("epochs must be at least 1, got 0", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> TrainCommand.run("--data", "stand-in", "stray"));
        assertTrue(e.getMessage().contains("unexpected argument(s) stray"), e.getMessage());
    }
}
