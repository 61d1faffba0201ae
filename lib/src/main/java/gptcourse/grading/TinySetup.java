package gptcourse.grading;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

import gptcourse.autograd.GradMode;
import gptcourse.data.Batch;
import gptcourse.data.DataUtils;
import gptcourse.data.Gpt2Tokenizer;
import gptcourse.data.TextDataset;
import gptcourse.data.TinyStories;
import gptcourse.data.TrainTestSplit;
import gptcourse.model.Config;
import gptcourse.model.DemoTransformer;
import gptcourse.model.LogProbs;
import gptcourse.train.RunTracker;
import gptcourse.train.TransformerTrainer;
import gptcourse.train.TransformerTrainerBase;
import gptcourse.train.TransformerTrainingArgs;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * What every check runs on: a one-layer model small enough to train in milliseconds (GPT-2's
 * vocabulary, so the tokens are real), rows of {@value #SEQ} tokens of the project's stand-in
 * stories, and args of a few steps. Runs tracked in it go to a temporary folder (the system
 * property {@code gptcourse.runsDir} points there while it is open) that {@link #close()} deletes.
 */
final class TinySetup implements AutoCloseable {
    static final int SEQ = 16;
    static final int BATCH = 4;
    /** Ten test rows in batches of four: the last batch is smaller, which catches averaging mistakes. */
    static final int TEST_ROWS = 10;
    static final long MODEL_SEED = 7;

    private static TrainTestSplit split;
    private static Gpt2Tokenizer tokenizer;

    private final Path runsDir;
    private final String previousRunsDir;
    private final List<TransformerTrainerBase> trainers = new ArrayList<>();

    private TinySetup(Path runsDir, String previousRunsDir) {
        this.runsDir = runsDir;
        this.previousRunsDir = previousRunsDir;
    }

    static TinySetup open() {
        try {
            Path dir = Files.createTempDirectory("gptcourse-check-");
            String previous = System.setProperty("gptcourse.runsDir", dir.toString());
            return new TinySetup(dir, previous);
        } catch (IOException e) {
            throw new UncheckedIOException("could not make a temporary folder for the check's runs", e);
        }
    }

    static Config config() {
        return new Config().withDebug(false).withDModel(16).withNHeads(2).withDHead(8).withDMlp(32).withNLayers(1)
                .withNCtx(SEQ).withDVocab(Gpt2Tokenizer.VOCAB_SIZE);
    }

    /** Two epochs of two steps of four rows, and a learning rate high enough to see a step's effect. */
    static TransformerTrainingArgs args() {
        TransformerTrainingArgs a = new TransformerTrainingArgs();
        a.batchSize = BATCH;
        a.epochs = 2;
        a.maxStepsPerEpoch = 2;
        a.lr = 1e-2;
        a.weightDecay = 1e-2;
        a.seed = 1;
        a.wandbProject = "self-check";
        return a;
    }

    static synchronized Gpt2Tokenizer tokenizer() {
        if (tokenizer == null) {
            tokenizer = Gpt2Tokenizer.load();
        }
        return tokenizer;
    }

    /** The first 200 kB of the generated stand-in stories: plenty for rows of 16 tokens, tokenized in a second. */
    static final long STAND_IN_BYTES = 200_000L;

    /** The stand-in stories in rows of {@value #SEQ} tokens (tokenized once, kept in memory). */
    static synchronized TrainTestSplit split() {
        if (split == null) {
            TextDataset stories = TinyStories.standIn("train", STAND_IN_BYTES);
            split = DataUtils.tokenizeAndConcatenate(stories, tokenizer(), false, SEQ, TextDataset.TEXT, true, 1, null)
                    .trainTestSplit(TEST_ROWS, 0);
        }
        return split;
    }

    /** A fresh model; every call gives the same weights. */
    DemoTransformer model() {
        return new DemoTransformer(config(), MODEL_SEED);
    }

    /** The reference solution on {@code model}, tracking into this setup's folder. */
    TransformerTrainer reference(DemoTransformer model) {
        return track(new TransformerTrainer(args(), model, split(), tokenizer(), new RunTracker(runsDir)));
    }

    /** Remembers a trainer so that {@link #close()} stops its loaders' threads. */
    <T extends TransformerTrainerBase> T track(T trainer) {
        trainers.add(trainer);
        return trainer;
    }

    /** Training batch {@code i} (rows {@code 4i} to {@code 4i + 3} of the train split). */
    Batch trainBatch(int i) {
        return split().train().slice(BATCH * i, BATCH * (i + 1));
    }

    /** The loss of {@code model} on the whole test split: how a check sees the effect of a step. */
    @SuppressWarnings("try")
    static double heldOutLoss(DemoTransformer model) {
        INDArray tokens = split().test().slice(0, split().test().size()).tokens();
        try (var mode = GradMode.inferenceMode()) {
            return LogProbs.getLogProbs(model.forward(tokens), tokens).mean().neg().item();
        }
    }

    @Override
    public void close() {
        trainers.forEach(t -> {
            t.trainLoader.close();
            t.testLoader.close();
        });
        if (previousRunsDir == null) {
            System.clearProperty("gptcourse.runsDir");
        } else {
            System.setProperty("gptcourse.runsDir", previousRunsDir);
        }
        try (Stream<Path> files = Files.walk(runsDir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a leftover temporary folder is harmless
        }
    }
}
