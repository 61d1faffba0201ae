package gptcourse.train;

import static gptcourse.data.TokenizeOptions.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import gptcourse.analysis.LossBaselines;
import gptcourse.autograd.Tensor;
import gptcourse.data.Batch;
import gptcourse.data.DataUtils;
import gptcourse.data.Gpt2Tokenizer;
import gptcourse.data.StoryGenerator;
import gptcourse.data.TextDataset;
import gptcourse.data.TrainTestSplit;
import gptcourse.model.Config;
import gptcourse.model.DemoTransformer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tech.tablesaw.api.Table;

/**
 * End to end on 40 generated stand-in stories: a tiny model trained by the reference trainer
 * learns (loss from ln d_vocab to below the unigram entropy, accuracy up), fills its run folder,
 * and a run that crashes and resumes from its checkpoint continues the same loss curve.
 */
class TransformerTrainerTest {
    static final int SEQ = 32;
    static Gpt2Tokenizer tokenizer;
    static TrainTestSplit split;
    static LossBaselines.Baselines baselines;

    @BeforeAll
    static void data() {
        tokenizer = Gpt2Tokenizer.load();
        split = DataUtils.tokenizeAndConcatenate(TextDataset.of("stand-in (generated stories)", StoryGenerator.stories(1, 40)), tokenizer,
                streaming(false), maxLength(SEQ), columnName("text"), addBosToken(true), numProc(2), inMemory())
                .trainTestSplit(8, 0);
        baselines = LossBaselines.compute(split.train());
    }

    static Config tinyConfig() {
        return new Config().withDebug(false).withDModel(32).withNHeads(4).withDHead(8).withDMlp(128).withNLayers(2)
                .withNCtx(SEQ).withDVocab(tokenizer.vocabSize());
    }

    static TransformerTrainingArgs args(int epochs, String name) {
        return TransformerTrainingArgs.parse("--batch-size", "8", "--epochs", String.valueOf(epochs), "--lr", "1e-2",
                "--seed", "7", "--wandb-name", name, "--log-completions-every", "30", "--checkpoint-every", "20");
    }

    /** The reference trainer that "crashes" (throws) when asked for step {@code crashAt + 1}. */
    static final class CrashingTrainer extends TransformerTrainer {
        final int crashAt;

        CrashingTrainer(TransformerTrainingArgs args, DemoTransformer model, RunTracker tracker, int crashAt) {
            super(args, model, split, TransformerTrainerTest.tokenizer, tracker);
            this.crashAt = crashAt;
        }

        @Override
        public Tensor trainingStep(Batch batch) {
            if (step == crashAt) {
                throw new IllegalStateException("simulated crash");
            }
            return super.trainingStep(batch);
        }
    }

    @Test
    void learnsFillsTheRunFolderAndResumesTheSameCurve(@TempDir Path runs) throws Exception {
        int epochs = 6;
        RunTracker tracker = new RunTracker(runs);
        TransformerTrainer trainer = new TransformerTrainer(args(epochs, "uninterrupted"), new DemoTransformer(tinyConfig(), 3),
                split, tokenizer, tracker);
        trainer.train();

        List<Double> loss = tracker.values("train_loss");
        List<Double> accuracy = tracker.values("accuracy");
        int stepsPerEpoch = trainer.trainLoader.size();
        assertEquals(epochs * stepsPerEpoch, trainer.step);
        assertEquals(trainer.step, loss.size());
        assertEquals(epochs, accuracy.size());
        double uniform = LossBaselines.uniformEntropy(tokenizer.vocabSize());
        assertEquals(uniform, loss.get(0), 0.1, "the first loss is about ln(d_vocab): the model starts uniform");
        double lastFive = loss.subList(loss.size() - 5, loss.size()).stream().mapToDouble(d -> d).average().orElseThrow();
        assertTrue(lastFive < baselines.unigram(), "the loss ends below the corpus's unigram entropy " + baselines.unigram()
                + ", got " + lastFive);
        assertTrue(accuracy.get(accuracy.size() - 1) > accuracy.get(0) + 0.01, "accuracy rises: " + accuracy);

        Path dir = runs.resolve("day1-demotransformer/uninterrupted");
        for (String f : List.of("config.json", "metrics.csv", "completions.csv", "summary.json", "loss.png", "report.html")) {
            assertTrue(Files.size(dir.resolve(f)) > 0, f + " is in the run folder");
        }
        String config = Files.readString(dir.resolve("config.json"));
        for (String key : List.of("\"batch_size\": 8", "\"model_config\"", "\"tokenizer\"", "\"backend\"", "\"nd4j\"",
                "stand-in")) {
            assertTrue(config.contains(key), "config.json records " + key);
        }
        Table metrics = RunFolders.readMetrics(dir.resolve("metrics.csv"));
        assertEquals(trainer.step, metrics.rowCount());
        Table completions = trainer.completions().table();
        assertEquals(trainer.step / 30, completions.rowCount());
        assertTrue(completions.stringColumn(2).get(0).startsWith("Once upon a time"));
        assertTrue(Checkpoint.list(dir).size() <= 3, "old checkpoints are pruned");

        // A second run crashes after step 40, resumes from its step-40 checkpoint and trains 3 epochs in all.
        int crashAt = 40;
        RunTracker crashed = new RunTracker(runs);
        CrashingTrainer first = new CrashingTrainer(args(3, "resumed"), new DemoTransformer(tinyConfig(), 3), crashed,
                crashAt);
        IllegalStateException crash = assertThrows(IllegalStateException.class, first::train);
        assertEquals("simulated crash", crash.getMessage());
        Path resumedDir = runs.resolve("day1-demotransformer/resumed");
        Checkpoint checkpoint = Checkpoint.read(resumedDir);
        assertEquals(crashAt, checkpoint.step());

        RunTracker again = new RunTracker(runs);
        TransformerTrainer resumed = TransformerTrainer.resume(resumedDir, split, tokenizer, again);
        assertEquals(crashAt, resumed.step);
        resumed.train();
        assertEquals(3 * stepsPerEpoch, resumed.step);
        List<Double> resumedLoss = again.values("train_loss");
        assertEquals(resumed.step, resumedLoss.size(), "the resumed run's curve has every step once");
        for (int s = 0; s < resumed.step; s++) {
            assertEquals(loss.get(s), resumedLoss.get(s), 1e-5 * Math.max(1, loss.get(s)),
                    "loss at step " + (s + 1) + (s >= crashAt ? " (after the resume)" : ""));
        }
    }

    @Test
    void rejectsRowsLongerThanTheContextAndMismatchedCheckpoints(@TempDir Path runs) {
        Config shortContext = tinyConfig().withNCtx(16);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new TransformerTrainer(args(1, "x"), new DemoTransformer(shortContext, 0), split, tokenizer,
                        new RunTracker(runs)));
        assertTrue(e.getMessage().contains("n_ctx is 16"), e.getMessage());

        TransformerTrainer trainer = new TransformerTrainer(args(1, "y"), new DemoTransformer(tinyConfig(), 0), split,
                tokenizer, new RunTracker(runs));
        Path file = trainer.saveCheckpoint(runs.resolve("c.safetensors"));
        TransformerTrainingArgs otherBatch = args(1, "z");
        otherBatch.batchSize = 4;
        TransformerTrainer other = new TransformerTrainer(otherBatch, new DemoTransformer(tinyConfig(), 0), split,
                tokenizer, new RunTracker(runs));
        e = assertThrows(IllegalArgumentException.class, () -> other.loadCheckpoint(file));
        assertTrue(e.getMessage().contains("batch size: checkpoint 8, now 4"), e.getMessage());

        // Other data: another split size, or the same size drawn with another seed.
        gptcourse.data.TokenizedDataset rows = DataUtils.tokenizeAndConcatenate(
                TextDataset.of("stand-in (generated stories)", StoryGenerator.stories(1, 40)), tokenizer,
                streaming(false), maxLength(SEQ), columnName("text"), addBosToken(true), numProc(2), inMemory());
        TransformerTrainer otherSize = new TransformerTrainer(args(1, "v"), new DemoTransformer(tinyConfig(), 0),
                rows.trainTestSplit(6, 0), tokenizer, new RunTracker(runs));
        e = assertThrows(IllegalArgumentException.class, () -> otherSize.loadCheckpoint(file));
        assertTrue(e.getMessage().contains("test rows (--test-size): checkpoint 8, now 6")
                && e.getMessage().contains("train rows: checkpoint"), e.getMessage());
        TransformerTrainer otherSeed = new TransformerTrainer(args(1, "u"), new DemoTransformer(tinyConfig(), 0),
                rows.trainTestSplit(8, 1), tokenizer, new RunTracker(runs));
        e = assertThrows(IllegalArgumentException.class, () -> otherSeed.loadCheckpoint(file));
        assertTrue(e.getMessage().contains("the split's content"), e.getMessage());
        otherSeed.loadCheckpoint(Checkpoint.read(file), ResumeCheck.ALLOW_OTHER_DATA); // --force
        assertEquals(0, otherSeed.step);
        TransformerTrainer bigger = new TransformerTrainer(args(1, "w"),
                new DemoTransformer(tinyConfig().withDModel(64).withDHead(16), 0), split, tokenizer, new RunTracker(runs));
        e = assertThrows(IllegalArgumentException.class, () -> bigger.loadCheckpoint(file));
        assertTrue(e.getMessage().contains("is for the model"), e.getMessage());
    }
}
