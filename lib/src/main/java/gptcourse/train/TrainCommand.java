package gptcourse.train;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

import com.oracle.labs.mlrg.olcut.config.Option;
import com.oracle.labs.mlrg.olcut.config.Options;
import gptcourse.analysis.LossBaselines;
import gptcourse.autograd.Backend;
import gptcourse.data.DataUtils;
import gptcourse.data.Gpt2Tokenizer;
import gptcourse.data.TextDataset;
import gptcourse.data.TinyStories;
import gptcourse.data.TokenizedDataset;
import gptcourse.data.TrainTestSplit;
import gptcourse.model.Config;
import gptcourse.model.DemoTransformer;

/**
 * Trains the tutorial's model without Jupyter, printing progress lines: for long runs and for
 * users without a notebook. Same steps as the notebooks: load TinyStories, tokenize and
 * concatenate, split, train with {@link TransformerTrainer}, track the run under {@code runs/}.
 *
 * <pre>
 * environment/train.sh --epochs 1 --max-steps-per-epoch 50 --data stand-in
 * environment/train.sh --resume runs/day1-demotransformer/run-20261127-221500
 * environment/train.sh --help
 * </pre>
 */
public final class TrainCommand {

    /** The command's own options; the training args are nested (their options are listed too). */
    public static final class CommandOptions implements Options {
        public TransformerTrainingArgs training = new TransformerTrainingArgs();

        @Option(longName = "data", usage = "tinystories (download or cache; fails offline), stand-in (the project's"
                + " generated TinyStories-like stories), auto (TinyStories if reachable, else the stand-in), or a"
                + " path to a stories file separated by <|endoftext|> lines (default auto).")
        public String data = "auto";

        @Option(longName = "n-ctx", usage = "Tokens per row and the model's context length (default 128).")
        public int nCtx = 128;

        @Option(longName = "d-model", usage = "Residual stream width (default 32, the tutorial's training model).")
        public int dModel = 32;

        @Option(longName = "n-layers", usage = "Transformer blocks (default 4).")
        public int nLayers = 4;

        @Option(longName = "n-heads", usage = "Attention heads (default 16).")
        public int nHeads = 16;

        @Option(longName = "d-head", usage = "Width of each head (default 2).")
        public int dHead = 2;

        @Option(longName = "d-mlp", usage = "MLP hidden width (default 128).")
        public int dMlp = 128;

        @Option(longName = "test-size", usage = "Rows held out for evaluate() (default 1000, as the tutorial; with"
                + " --resume, the checkpoint's).")
        public int testSize = 0;

        @Option(longName = "num-proc", usage = "Tokenizer threads (default: the number of processors).")
        public int numProc = Runtime.getRuntime().availableProcessors();

        @Option(longName = "runs-dir", usage = "Folder of the run folders (default runs/ or $GPTCOURSE_RUNS_DIR).")
        public String runsDir = RunTracker.defaultRunsDir().toString();

        @Option(longName = "resume", usage = "Continue from a checkpoint file or a run folder (its latest checkpoint);"
                + " the model and training args are the checkpoint's. A folder's newest valid checkpoint is used.")
        public String resume = null;

        @Option(longName = "force", usage = "With --resume: continue even if the data, tokenizer, split size or seed"
                + " differ from the checkpoint's (they are refused otherwise).")
        public boolean force = false;

        @Override
        public String getOptionsDescription() {
            return "Trains the course's DemoTransformer on TinyStories, headless.";
        }
    }

    private TrainCommand() {
    }

    /** Exit status of a run stopped by a NaN or infinite loss. */
    public static final int EXIT_DIVERGED = 3;
    /** Exit status of bad arguments, unusable data or a failed write (full disk, permissions). */
    public static final int EXIT_ERROR = 2;

    /**
     * Runs the command; every error is one line on stderr ({@code train: ...}) and a non-zero
     * status: {@value #EXIT_ERROR} for bad arguments, data or storage, {@value #EXIT_DIVERGED} when
     * the loss stopped being finite.
     */
    public static void main(String[] argv) {
        try {
            if (argv.length > 0 && argv[0].equals("verify-data")) {
                System.exit(gptcourse.data.TinyStories.verifyCache(System.out) ? 0 : 1);
            }
            run(argv);
        } catch (IllegalArgumentException e) {
            if (e.getCause() instanceof com.oracle.labs.mlrg.olcut.config.UsageException) {
                System.out.println(e.getMessage());
                return;
            }
            fail(e, EXIT_ERROR);
        } catch (NonFiniteTrainingException e) {
            fail(e, EXIT_DIVERGED);
        } catch (IllegalStateException | gptcourse.data.DataUnavailableException | java.io.UncheckedIOException e) {
            fail(e, EXIT_ERROR);
        }
    }

    private static void fail(RuntimeException e, int status) {
        System.out.flush();
        System.err.println("train: " + e.getMessage());
        System.err.flush();
        System.exit(status);
    }

    /** Parses {@code argv} and trains; returns the trainer when done. */
    public static TransformerTrainer run(String... argv) {
        CommandOptions o = new CommandOptions();
        String[] rest = TransformerTrainingArgs.parseInto(o, flags(argv));
        if (rest.length > 0) {
            throw new IllegalArgumentException("unexpected argument(s) " + String.join(" ", rest)
                    + " (--help lists the options)");
        }
        if (o.resume == null) {
            o.training.validate();
        }
        if (o.force && o.resume == null) {
            throw new IllegalArgumentException("--force only applies to --resume");
        }
        Gpt2Tokenizer tokenizer = Gpt2Tokenizer.load();
        System.out.println("Backend: " + Backend.describe());
        TextDataset text = loadText(o.data);
        System.out.println("Data: " + text);
        Config cfg;
        TransformerTrainingArgs args;
        Checkpoint checkpoint = null;
        if (o.resume != null) {
            checkpoint = Checkpoint.read(Path.of(o.resume));
            if (o.testSize == 0 && checkpoint.data() != null) {
                o.testSize = Math.toIntExact(checkpoint.data().testRows());
            }
            cfg = checkpoint.config();
            args = checkpoint.args();
            System.out.println("Resuming " + checkpoint.project() + "/" + checkpoint.runName() + " at step "
                    + checkpoint.step() + " from " + checkpoint.file());
        } else {
            cfg = new Config().withDebug(false).withDModel(o.dModel).withNLayers(o.nLayers).withNHeads(o.nHeads)
                    .withDHead(o.dHead).withDMlp(o.dMlp).withNCtx(o.nCtx).withDVocab(tokenizer.vocabSize());
            args = o.training; // validated above, before the data were loaded
        }
        if (o.numProc < 1) {
            throw new IllegalArgumentException("--num-proc must be at least 1, got " + o.numProc);
        }
        TokenizedDataset rows = DataUtils.tokenizeAndConcatenate(text, tokenizer, false, cfg.nCtx(), TextDataset.TEXT,
                true, o.numProc);
        if (o.testSize == 0) {
            o.testSize = 1000;
        }
        if (o.testSize < 1 || o.testSize >= rows.size()) {
            throw new IllegalArgumentException("--test-size must be between 1 and " + (rows.size() - 1) + " (the data has "
                    + rows.size() + " rows of " + cfg.nCtx() + " tokens), got " + o.testSize);
        }
        TrainTestSplit split = rows.trainTestSplit(o.testSize, 0);
        System.out.println("Rows: " + split);
        RunTracker tracker = new RunTracker(Path.of(o.runsDir));
        TransformerTrainer trainer;
        if (checkpoint != null) {
            trainer = TransformerTrainer.resume(checkpoint, split, tokenizer, tracker,
                    o.force ? ResumeCheck.ALLOW_OTHER_DATA : ResumeCheck.SAME_DATA);
        } else {
            trainer = new TransformerTrainer(args, new DemoTransformer(cfg, args.seed), split, tokenizer, tracker);
        }
        tracker.setBaselines(LossBaselines.compute(split.train(), cfg.dVocab()));
        System.out.println(String.format(Locale.ROOT, "Model: %,d parameters %s", trainer.model.parameterCount(), cfg));
        System.out.println("Args: " + trainer.args);
        long t0 = System.nanoTime();
        trainer.train();
        System.out.println(String.format(Locale.ROOT, "Done: %d steps in %.1f s. Run folder: %s", trainer.step,
                (System.nanoTime() - t0) / 1e9, tracker.dir().toAbsolutePath()));
        return trainer;
    }

    /** Lets {@code --force} be given as a bare flag (OLCUT's booleans take a value: {@code --force true}). */
    private static String[] flags(String... argv) {
        java.util.List<String> words = new java.util.ArrayList<>();
        if (argv.length == 1 && argv[0] != null) {
            words.addAll(java.util.Arrays.asList(argv[0].trim().split("\\s+")));
        } else {
            words.addAll(java.util.Arrays.asList(argv));
        }
        for (int i = 0; i < words.size(); i++) {
            boolean bare = i + 1 == words.size() || String.valueOf(words.get(i + 1)).startsWith("-");
            if ("--force".equals(words.get(i)) && bare) {
                words.add(i + 1, "true");
            }
        }
        return words.toArray(String[]::new);
    }

    private static TextDataset loadText(String data) {
        return switch (data) {
            case "auto" -> TinyStories.loadOrStandIn("train");
            case "tinystories" -> TinyStories.load("train");
            case "stand-in" -> TinyStories.standIn("train");
            default -> {
                Path p = Path.of(data);
                if (!Files.isRegularFile(p)) {
                    throw new IllegalArgumentException("--data must be auto, tinystories, stand-in or a stories file;"
                            + " \"" + data + "\" is none of these (no such file)");
                }
                yield TinyStories.load("train", p);
            }
        };
    }
}
