package gptcourse.train;

import static gptcourse.sample.SamplingArgs.seed;
import static gptcourse.sample.SamplingArgs.temperature;
import static gptcourse.sample.SamplingArgs.topP;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

import gptcourse.autograd.GradMode;
import gptcourse.autograd.Tensor;
import gptcourse.data.Batch;
import gptcourse.data.Gpt2Tokenizer;
import gptcourse.data.TrainTestSplit;
import gptcourse.model.DemoTransformer;
import gptcourse.model.LogProbs;
import gptcourse.notebook.Progress;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The reference solution of the tutorial's training-loop exercise.
 *
 * <pre>{@code
 * var trainer = new TransformerTrainer(args, model, datasetDict);
 * trainer.train();
 * }</pre>
 *
 * Beyond the tutorial it saves a checkpoint at the end of each epoch (and every {@code
 * args.checkpointEvery} steps), resumes from one ({@link #resume}), and, when {@code
 * args.logCompletionsEvery} is set, logs the optional exercise's completions table.
 */
public class TransformerTrainer extends TransformerTrainerBase {
    /** The prompt sampled after each epoch. */
    public static final String SAMPLE_PROMPT = "Once upon a time";

    private CompletionsLog completions;

    public TransformerTrainer(TransformerTrainingArgs args, DemoTransformer model, TrainTestSplit datasetDict) {
        super(args, model, datasetDict);
    }

    public TransformerTrainer(TransformerTrainingArgs args, DemoTransformer model, TrainTestSplit datasetDict,
            Gpt2Tokenizer tokenizer, RunTracker tracker) {
        super(args, model, datasetDict, tokenizer, tracker);
    }

    /**
     * A trainer that continues from a checkpoint (a file, or the latest in a run folder): the
     * model and args are the checkpoint's, the run and its loss curve continue where they were.
     */
    public static TransformerTrainer resume(Path checkpoint, TrainTestSplit datasetDict, Gpt2Tokenizer tokenizer,
            RunTracker tracker) {
        return resume(Checkpoint.read(checkpoint), datasetDict, tokenizer, tracker);
    }

    /** As {@link #resume(Path, TrainTestSplit, Gpt2Tokenizer, RunTracker)}, from a checkpoint already read. */
    public static TransformerTrainer resume(Checkpoint c, TrainTestSplit datasetDict, Gpt2Tokenizer tokenizer,
            RunTracker tracker) {
        return resume(c, datasetDict, tokenizer, tracker, ResumeCheck.SAME_DATA);
    }

    /** As {@link #resume(Checkpoint, TrainTestSplit, Gpt2Tokenizer, RunTracker)}; {@code check} may allow other data. */
    public static TransformerTrainer resume(Checkpoint c, TrainTestSplit datasetDict, Gpt2Tokenizer tokenizer,
            RunTracker tracker, ResumeCheck check) {
        DemoTransformer model = new DemoTransformer(c.config(), 0);
        TransformerTrainer trainer = new TransformerTrainer(c.args(), model, datasetDict, tokenizer, tracker);
        trainer.loadCheckpoint(c, check);
        return trainer;
    }

    @Override
    public Tensor trainingStep(Batch batch) {
        INDArray tokens = batch.get("tokens");
        Tensor logits = model.forward(tokens);
        Tensor loss = LogProbs.getLogProbs(logits, tokens).mean().neg();
        loss.backward();
        optimizer.step();
        optimizer.zeroGrad();
        step++;
        tracker.log(Map.of("train_loss", loss.item()), step);
        return loss;
    }

    @Override
    @SuppressWarnings("try") // the inference-mode scope is used for its effect, not read
    public double evaluate() {
        long totalCorrect = 0;
        long totalSamples = 0;
        try (var mode = GradMode.inferenceMode()) {
            model.eval();
            try {
                for (Batch batch : testLoader) {
                    INDArray tokens = batch.get("tokens");
                    long seq = tokens.size(1);
                    try (Tensor logits = model.forward(tokens)) {
                        // a block of rows at a time: the [batch, seq, d_vocab] logits are never held whole
                        INDArray predicted = logits.slice(1, 0, seq - 1).argmax(2);
                        INDArray targets = tokens.get(NDArrayIndex.all(), NDArrayIndex.interval(1, seq));
                        totalCorrect += predicted.eq(targets.castTo(predicted.dataType())).castTo(DataType.INT64)
                                .sumNumber().longValue();
                        totalSamples += tokens.size(0) * (seq - 1);
                    }
                }
            } finally {
                model.train();
            }
        }
        double accuracy = (double) totalCorrect / totalSamples;
        tracker.log(Map.of("accuracy", accuracy), step);
        return accuracy;
    }

    @Override
    public void train() {
        startRun();
        double accuracy = lastAccuracy;
        long totalSteps = (long) Math.min(args.maxStepsPerEpoch, trainLoader.size()) * args.epochs;
        boolean completed = false;
        try (Progress progressBar = Progress.start(totalSteps)) {
            progressBar.update(step);
            for (int epoch = firstEpoch(); epoch < args.epochs; epoch++) {
                for (Batch batch : epochBatches(epoch)) {
                    Tensor loss = trainingStep(batch);
                    checkFinite(loss.item());
                    // the description first: the step that reaches the total then draws the final line
                    progressBar.setDescription(String.format(Locale.ROOT, "Epoch %d, loss: %.3f, accuracy: %.2f",
                            epoch + 1, loss.item(), accuracy));
                    progressBar.update();
                    afterStep(epoch);
                }
                accuracy = evaluate();
                endEpoch(epoch, accuracy);
                saveCheckpoint();
                System.out.println(String.format(Locale.ROOT, "Epoch %d: accuracy %.4f. Sample: %s", epoch + 1, accuracy,
                        sampler.sample(SAMPLE_PROMPT, 24, temperature(0.7), topP(0.95), seed(args.seed + epoch))));
            }
            completed = true;
        } finally {
            trainLoader.close();
            if (completed) {
                tracker.finish();
            } else {
                tracker.abandon(); // stopped by an error: no summary, not "finished"
            }
        }
    }

    /** The extras between steps: completions table and periodic checkpoints. */
    private void afterStep(int epoch) {
        if (args.logCompletionsEvery > 0 && step % args.logCompletionsEvery == 0) {
            if (completions == null) {
                completions = CompletionsLog.tutorialDefaults(sampler, args.seed).restore(tracker.table("completions"));
            }
            completions.log(epoch + 1, step);
            tracker.logTable("completions", completions.table());
        }
        if (args.checkpointEvery > 0 && step % args.checkpointEvery == 0) {
            saveCheckpoint();
        }
    }

    /** The completions logged so far, or null if {@code args.logCompletionsEvery} is 0. */
    public CompletionsLog completions() {
        return completions;
    }
}
