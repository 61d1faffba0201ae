package gptcourse.train;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;

import gptcourse.autograd.Backend;
import gptcourse.autograd.Tensor;
import gptcourse.data.Batch;
import gptcourse.data.DataLoader;
import gptcourse.data.Gpt2Tokenizer;
import gptcourse.data.TokenizedDataset;
import gptcourse.data.TrainTestSplit;
import gptcourse.io.AtomicFiles;
import gptcourse.model.DemoTransformer;
import gptcourse.optim.AdamW;
import gptcourse.sample.TransformerSampler;

/**
 * The part of the tutorial's {@code TransformerTrainer} that is given: the constructor (AdamW
 * from the args, the train and test loaders, the sampler, the step counter) plus checkpoints and
 * run tracking. The exercise is to write {@link #trainingStep}, {@link #evaluate} and {@link
 * #train} in a subclass; {@link TransformerTrainer} is the reference solution.
 *
 * <pre>{@code
 * class MyTrainer extends TransformerTrainerBase {
 *     MyTrainer(TransformerTrainingArgs args, DemoTransformer model, TrainTestSplit datasetDict) {
 *         super(args, model, datasetDict);
 *     }
 *     public Tensor trainingStep(Batch batch) { ... }
 *     public double evaluate() { ... }
 *     public void train() { ... }
 * }
 * }</pre>
 *
 * The fields are public, like the tutorial's attributes ({@code trainer.model}, {@code
 * trainer.step}); {@code tracker} plays the part of {@code wandb}.
 */
public abstract class TransformerTrainerBase {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(TransformerTrainerBase.class);
    private static final int CHECKPOINTS_KEPT = 3;

    public final TransformerTrainingArgs args;
    public final DemoTransformer model;
    public final AdamW optimizer;
    public final Gpt2Tokenizer tokenizer;
    public final TransformerSampler sampler;
    public final DataLoader trainLoader;
    public final DataLoader testLoader;
    public final RunTracker tracker;
    /** Training steps done. */
    public int step = 0;

    /** The epoch in progress (0-based) and batches of it trained on: where a resumed run continues. */
    protected int epoch = 0;
    protected int batchInEpoch = 0;
    /** The last evaluation's accuracy, NaN before the first. */
    protected double lastAccuracy = Double.NaN;
    private String resumedRun;
    private final String datasetDescription;
    /** What this trainer trains on, recorded in its checkpoints. */
    private final DataIdentity data;
    /** The newest checkpoint this trainer saved or resumed from, or null. */
    private Path lastCheckpoint;

    /** As the tutorial: the GPT-2 tokenizer and runs under {@code runs/}. */
    protected TransformerTrainerBase(TransformerTrainingArgs args, DemoTransformer model, TrainTestSplit datasetDict) {
        this(args, model, datasetDict, Gpt2Tokenizer.load(), new RunTracker());
    }

    /**
     * @param args        validated here
     * @param datasetDict the train and test rows ({@code dataset_dict} in the tutorial)
     * @param tokenizer   the sampler's tokenizer
     * @param tracker     where the run is recorded
     */
    protected TransformerTrainerBase(TransformerTrainingArgs args, DemoTransformer model, TrainTestSplit datasetDict,
            Gpt2Tokenizer tokenizer, RunTracker tracker) {
        if (args == null || model == null || datasetDict == null || tokenizer == null || tracker == null) {
            throw new IllegalArgumentException("a trainer needs args, a model, the dataset dict, a tokenizer and a"
                    + " tracker; one of them is null");
        }
        this.args = args.validate();
        checkRows("train", datasetDict.train(), model);
        checkRows("test", datasetDict.test(), model);
        this.model = model;
        this.tokenizer = tokenizer;
        this.tracker = tracker;
        this.optimizer = new AdamW(model.parameters(), args.lr, args.weightDecay);
        this.sampler = new TransformerSampler(model, tokenizer);
        this.trainLoader = DataLoader.builder(datasetDict.train()).batchSize(args.batchSize).shuffle(true).seed(args.seed).build();
        this.testLoader = DataLoader.builder(datasetDict.test()).batchSize(args.batchSize).shuffle(false).build();
        this.datasetDescription = "train: " + datasetDict.train().description() + " (" + datasetDict.train().size()
                + " rows); test: " + datasetDict.test().description() + " (" + datasetDict.test().size() + " rows)";
        this.data = DataIdentity.of(datasetDict, tokenizer);
    }

    private static void checkRows(String split, TokenizedDataset rows, DemoTransformer model) {
        if (rows.size() == 0) {
            throw new IllegalArgumentException("the " + split + " split has no rows");
        }
        if (rows.maxLength() > model.cfg.nCtx()) {
            throw new IllegalArgumentException("the " + split + " rows have " + rows.maxLength() + " tokens but the"
                    + " model's n_ctx is " + model.cfg.nCtx() + ": tokenize with maxLength at most n_ctx");
        }
    }

    /** Forward, loss, backward, optimizer step and zero-grad on one batch; returns the loss. */
    public abstract Tensor trainingStep(Batch batch);

    /** Next-token accuracy over the test loader. */
    public abstract double evaluate();

    /** Trains for {@code args.epochs} epochs of at most {@code args.maxStepsPerEpoch} steps. */
    public abstract void train();

    // ---------------------------------------------------------------- helpers for train()

    /** The epoch to start at: 0, or the checkpoint's epoch after {@link #loadCheckpoint}. */
    protected int firstEpoch() {
        return epoch;
    }

    /**
     * The batches of epoch {@code e}: at most {@code args.maxStepsPerEpoch} of them, starting after
     * those already trained on when resuming from a checkpoint.
     */
    protected Iterable<Batch> epochBatches(int e) {
        int from = e == epoch ? batchInEpoch : 0;
        epoch = e;
        batchInEpoch = from;
        int limit = Math.min(args.maxStepsPerEpoch, trainLoader.size());
        return () -> new Iterator<>() {
            private final Iterator<Batch> inner = trainLoader.iterator(e, Math.min(from, trainLoader.size()));

            @Override
            public boolean hasNext() {
                if (batchInEpoch < limit && inner.hasNext()) {
                    return true;
                }
                trainLoader.close(); // an epoch cut short would keep its prefetch thread waiting
                return false;
            }

            @Override
            public Batch next() {
                if (!hasNext()) {
                    throw new NoSuchElementException("epoch " + e + " is over");
                }
                batchInEpoch++;
                return inner.next();
            }
        };
    }

    /** Marks epoch {@code e} done (after its evaluation), so a checkpoint now resumes at the next one. */
    protected void endEpoch(int e, double accuracy) {
        lastAccuracy = accuracy;
        epoch = e + 1;
        batchInEpoch = 0;
    }

    /**
     * Stops training with a {@link NonFiniteTrainingException} (one line: step, loss, learning
     * rate, the last good checkpoint) if {@code loss} is NaN or infinite; call it after each step.
     */
    protected void checkFinite(double loss) {
        if (!Double.isFinite(loss)) {
            throw NonFiniteTrainingException.loss(step, loss, args.lr,
                    lastCheckpoint == null ? null : lastCheckpoint.toString());
        }
    }

    /** Starts the tracked run, or continues the checkpoint's run after {@link #loadCheckpoint}. */
    protected void startRun() {
        if (resumedRun != null) {
            tracker.resume(args.wandbProject, resumedRun, step);
        } else {
            tracker.init(args.wandbProject, args.wandbName, args.toMap(), provenance());
        }
    }

    // ---------------------------------------------------------------- checkpoints

    /**
     * Saves a checkpoint in the run's {@code checkpoints/} folder (keeping the latest {@value
     * #CHECKPOINTS_KEPT}).
     *
     * @return its path
     */
    public Path saveCheckpoint() {
        if (tracker.dir() == null) {
            throw new IllegalStateException("the run has not started (train() starts it): give saveCheckpoint a file");
        }
        Path dir = tracker.dir().resolve("checkpoints");
        tracker.flush(); // the run's tables hold every row up to this checkpoint before it exists
        Path file = saveCheckpoint(dir.resolve(Checkpoint.fileName(step)));
        Checkpoint.prune(dir, CHECKPOINTS_KEPT);
        return file;
    }

    /** Saves model, optimizer, step, position in the data and args to {@code file}, atomically. */
    public Path saveCheckpoint(Path file) {
        try {
            Checkpoint.write(file, step, epoch, batchInEpoch, lastAccuracy, args.wandbProject,
                    tracker.name() != null ? tracker.name() : resumedRun, args, model.cfg, data, model.stateDict(),
                    optimizer.stateDict());
        } catch (IOException e) {
            throw AtomicFiles.failure("save the checkpoint", file, e);
        }
        lastCheckpoint = file;
        return file;
    }

    /**
     * Restores a checkpoint (a file, or the latest in a run folder): weights, optimizer state,
     * step and position in the data, so {@link #train()} continues the same run and loss curve.
     *
     * @throws IllegalArgumentException if it was made for another model config, or another batch
     *     size, seed or data (see {@link #loadCheckpoint(Checkpoint, ResumeCheck)} to allow those)
     */
    public void loadCheckpoint(Path fileOrDir) {
        loadCheckpoint(Checkpoint.read(fileOrDir));
    }

    /** As {@link #loadCheckpoint(Path)}, from a checkpoint already read. */
    public void loadCheckpoint(Checkpoint c) {
        loadCheckpoint(c, ResumeCheck.SAME_DATA);
    }

    /**
     * As {@link #loadCheckpoint(Checkpoint)}; with {@link ResumeCheck#ALLOW_OTHER_DATA} a checkpoint
     * made with another batch size, seed, data source, tokenizer or split is loaded anyway (with a
     * warning saying what differs). Another model config is always refused.
     */
    public void loadCheckpoint(Checkpoint c, ResumeCheck check) {
        if (!c.config().equals(model.cfg)) {
            throw new IllegalArgumentException("the checkpoint " + c.file() + " is for the model " + c.config()
                    + ", not this trainer's " + model.cfg);
        }
        List<String> differences = new ArrayList<>();
        if (c.args().batchSize != args.batchSize) {
            differences.add("batch size: checkpoint " + c.args().batchSize + ", now " + args.batchSize);
        }
        if (c.args().seed != args.seed) {
            differences.add("seed: checkpoint " + c.args().seed + ", now " + args.seed);
        }
        if (c.data() != null) {
            differences.addAll(c.data().differences(data));
        }
        if (!differences.isEmpty()) {
            String what = String.join("; ", differences);
            if (check != ResumeCheck.ALLOW_OTHER_DATA) {
                throw new IllegalArgumentException("the checkpoint " + c.file() + " was trained on other data or"
                        + " settings (" + what + "): resuming would change the run. Use the checkpoint's, or --force"
                        + " (ResumeCheck.ALLOW_OTHER_DATA) to resume anyway");
            }
            LOG.warn("resuming {} although it differs: {}", c.file(), what);
        }
        model.loadStateDict(c.model());
        optimizer.loadStateDict(c.optimizer());
        step = Math.toIntExact(c.step());
        epoch = c.epoch();
        batchInEpoch = c.batchInEpoch();
        lastAccuracy = c.accuracy();
        resumedRun = c.runName();
        lastCheckpoint = c.file();
    }

    /** What the run was made from: recorded in the run's config.json. */
    public Map<String, Object> provenance() {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("args", args.toMap());
        p.put("model_config", model.cfg.toMap());
        p.put("model_parameters", model.parameterCount());
        p.put("dataset", datasetDescription);
        p.put("data", data.toMap());
        p.put("tokenizer", Map.of("name", "gpt2 (r50k_base)", "vocab_size", tokenizer.vocabSize(),
                "sha256", tokenizer.sha256()));
        p.put("seed", args.seed);
        p.put("backend", Backend.describe());
        p.put("versions", Versions.all());
        return p;
    }
}
