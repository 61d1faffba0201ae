package gptcourse.grading;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import gptcourse.autograd.GradMode;
import gptcourse.autograd.Tensor;
import gptcourse.data.Batch;
import gptcourse.data.DataUtils;
import gptcourse.data.Gpt2Tokenizer;
import gptcourse.data.TextDataset;
import gptcourse.data.TinyStories;
import gptcourse.data.TokenizedDataset;
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

    /** The evaluate check's test rows: six follow a cycle the check's model knows, four are random words. */
    static final int EVAL_PREDICTABLE_ROWS = 6;
    static final int EVAL_RANDOM_ROWS = 4;
    private static final String CYCLE = " a b c d e f g h i j k l";
    private static final String[] OTHER_WORDS = {" the", " and", " to", " of", " in", " is", " that", " for", " it",
        " with", " as", " was", " on", " be", " he", " at", " by", " his", " from", " are"};

    private static TrainTestSplit split;
    private static TrainTestSplit evaluateSplit;
    private static Map<String, INDArray> checkWeights;
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

    /**
     * The evaluate check's rows of {@value #SEQ} tokens: the train rows follow the cycle {@code a b
     * c ... l}; the test rows are {@value #EVAL_PREDICTABLE_ROWS} such rows then {@value
     * #EVAL_RANDOM_ROWS} of random words, in batches of four (4, 4, 2), so the check's model (which
     * knows the cycle) gets 60% right, and each usual mistake (no shift, every position counted, the
     * mean of per-batch accuracies, the first batch only) gives a clearly different number.
     */
    static synchronized TrainTestSplit evaluateSplit() {
        if (evaluateSplit == null) {
            StringBuilder text = new StringBuilder();
            text.append(CYCLE.repeat(SEQ * 6));
            java.util.Random random = new java.util.Random(MODEL_SEED);
            for (int i = 0; i < SEQ * (EVAL_RANDOM_ROWS + 2); i++) {
                text.append(OTHER_WORDS[random.nextInt(OTHER_WORDS.length)]);
            }
            TokenizedDataset rows = DataUtils.tokenizeAndConcatenate(TextDataset.of("check", List.of(text.toString())),
                    tokenizer(), false, SEQ, TextDataset.TEXT, false, 1, null);
            List<Integer> cyclic = new ArrayList<>();
            List<Integer> other = new ArrayList<>();
            for (int r = 0; r < rows.size(); r++) {
                (isCycle(rows.tokens(r)) ? cyclic : other).add(r);
            }
            if (cyclic.size() < EVAL_PREDICTABLE_ROWS + 2 * BATCH || other.size() < EVAL_RANDOM_ROWS) {
                throw new IllegalStateException("the evaluate check's rows came out wrong: " + cyclic.size()
                        + " cyclic, " + other.size() + " random");
            }
            int[] test = new int[EVAL_PREDICTABLE_ROWS + EVAL_RANDOM_ROWS];
            for (int i = 0; i < EVAL_PREDICTABLE_ROWS; i++) {
                test[i] = cyclic.get(i);
            }
            for (int i = 0; i < EVAL_RANDOM_ROWS; i++) {
                test[EVAL_PREDICTABLE_ROWS + i] = other.get(i);
            }
            int[] train = cyclic.subList(EVAL_PREDICTABLE_ROWS, cyclic.size()).stream().mapToInt(Integer::intValue)
                    .toArray();
            evaluateSplit = new TrainTestSplit(rows.select(train), rows.select(test));
        }
        return evaluateSplit;
    }

    private static boolean isCycle(int[] row) {
        int[] ids = tokenizer().encode(CYCLE);
        List<Integer> order = new ArrayList<>();
        for (int id : ids) {
            order.add(id);
        }
        for (int i = 0; i + 1 < row.length; i++) {
            int at = order.indexOf(row[i]);
            if (at < 0 || row[i + 1] != ids[(at + 1) % ids.length]) {
                return false;
            }
        }
        return order.contains(row[row.length - 1]);
    }

    /**
     * The evaluate check's model, built rather than trained (so it is the same in every JVM): each
     * token of the cycle gets a direction of its own in the residual stream (the attention and MLP
     * write nothing), and the unembedding maps it to the next token of the cycle; any other token
     * predicts token 0. On the check's test rows it is right on every prediction of the six cycle
     * rows and wrong on the four random ones: an accuracy of exactly 90 / 150 = 0.6.
     */
    static synchronized Map<String, INDArray> checkWeights() {
        if (checkWeights == null) {
            DemoTransformer model = new DemoTransformer(config(), MODEL_SEED);
            int[] cycle = tokenizer().encode(CYCLE);
            Map<String, INDArray> out = new LinkedHashMap<>();
            model.stateDict().forEach((name, value) -> {
                INDArray v = value.dup();
                if (name.endsWith("W_E") || name.endsWith("W_pos") || name.endsWith("W_O") || name.endsWith("b_O")
                        || name.endsWith("W_out") || name.endsWith("b_out") || name.endsWith("W_U")
                        || name.endsWith("b_U")) {
                    v.assign(0);
                }
                for (int k = 0; k < cycle.length; k++) {
                    if (name.endsWith("W_E")) {
                        v.putScalar(new long[] {cycle[k], k}, 1.0);
                    } else if (name.endsWith("W_U")) {
                        v.putScalar(new long[] {k, cycle[(k + 1) % cycle.length]}, 10.0);
                    }
                }
                out.put(name, v);
            });
            checkWeights = out;
        }
        return checkWeights;
    }

    /** The evaluate check's model, counting its forward passes. */
    ObservedTransformer evaluateModel() {
        return new ObservedTransformer(checkWeights());
    }

    /** A fresh model; every call gives the same weights. */
    DemoTransformer model() {
        return new DemoTransformer(config(), MODEL_SEED);
    }

    /** The reference solution on {@code model}, tracking into this setup's folder. */
    TransformerTrainer reference(DemoTransformer model) {
        return reference(model, split());
    }

    /** The reference solution on {@code model} and {@code data}. */
    TransformerTrainer reference(DemoTransformer model, TrainTestSplit data) {
        return track(new TransformerTrainer(args(), model, data, tokenizer(), new RunTracker(runsDir)));
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
