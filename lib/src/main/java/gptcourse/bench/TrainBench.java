package gptcourse.bench;

import static gptcourse.data.TokenizeOptions.cacheDir;
import static gptcourse.data.TokenizeOptions.maxLength;
import static gptcourse.data.TokenizeOptions.numProc;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import gptcourse.autograd.Backend;
import gptcourse.autograd.ProcessMemory;
import gptcourse.autograd.Tensor;
import gptcourse.data.Batch;
import gptcourse.data.DataLoader;
import gptcourse.data.DataUtils;
import gptcourse.data.Gpt2Tokenizer;
import gptcourse.data.StoryGenerator;
import gptcourse.data.TinyStories;
import gptcourse.data.TokenizedDataset;
import gptcourse.data.TrainTestSplit;
import gptcourse.model.Config;
import gptcourse.model.DemoTransformer;
import gptcourse.train.RunTracker;
import gptcourse.train.TransformerTrainer;
import gptcourse.train.TransformerTrainingArgs;

/**
 * Times {@code TransformerTrainer.train()} at the tutorial's configuration (batch 32, n_ctx 128,
 * d_vocab 50257, the training model) including data loading, and {@code evaluate()} on 1,000 test
 * rows. The data pipeline's cost is {@code train()}'s time per step against the median of the
 * same step on a batch already in memory (no loader running); then one JSON line.
 *
 * <p>The data are the generated stand-in stories ({@link StoryGenerator}) in a stories file big enough for the
 * run, tokenized by the real pipeline into a memory-mapped cache, so loading is what the course does.
 *
 * <pre>
 * java -cp ... gptcourse.bench.TrainBench [--steps 20] [--warmup 3] [--evals 3]
 * </pre>
 */
public final class TrainBench {
    private static final int BATCH = 32;
    private static final int TEST_ROWS = 1000;

    private TrainBench() {
    }

    /** The reference trainer, timing each training step from the inside. */
    static final class TimedTrainer extends TransformerTrainer {
        final List<long[]> spans = new ArrayList<>();

        TimedTrainer(TransformerTrainingArgs args, DemoTransformer model, TrainTestSplit data, Gpt2Tokenizer tokenizer,
                RunTracker tracker) {
            super(args, model, data, tokenizer, tracker);
        }

        @Override
        public Tensor trainingStep(Batch batch) {
            long t0 = System.nanoTime();
            Tensor loss = super.trainingStep(batch);
            loss.item();
            spans.add(new long[] {t0, System.nanoTime()});
            return loss;
        }
    }

    public static void main(String[] argv) throws IOException {
        int steps = TrainStepBench.intArg(argv, "--steps", 20);
        int warmup = TrainStepBench.intArg(argv, "--warmup", 3);
        int evaluations = TrainStepBench.intArg(argv, "--evals", 3);
        Gpt2Tokenizer tokenizer = Gpt2Tokenizer.load();
        Config cfg = Config.trainingDefaults(tokenizer.vocabSize());
        Path work = Files.createTempDirectory("gptcourse-trainbench");
        TrainTestSplit split = data(tokenizer, cfg.nCtx(), TEST_ROWS + (steps + warmup) * BATCH + BATCH, work);

        TransformerTrainingArgs args = TransformerTrainingArgs.parse("--batch-size", String.valueOf(BATCH), "--epochs", "1",
                "--max-steps-per-epoch", String.valueOf(steps + warmup), "--wandb-name", "bench");
        TimedTrainer trainer = new TimedTrainer(args, new DemoTransformer(cfg, 0), split, tokenizer,
                new RunTracker(work.resolve("runs")));
        // The same step on one batch already in memory, with no loader running: what a step costs
        // without the data pipeline. Timed before and after train() (half the steps each), so that
        // warm-up and the machine's drift do not favour either side.
        Batch fixed = split.train().slice(0, BATCH);
        List<Double> pure = new ArrayList<>();
        timeSteps(trainer, fixed, warmup, null);
        timeSteps(trainer, fixed, steps / 2, pure);
        trainer.step = 0;
        trainer.spans.clear();
        long t0 = System.nanoTime();
        trainer.train();
        double trainTotal = (System.nanoTime() - t0) / 1e9;

        // The loop from the end of the last warm-up step to the end of the last step: training
        // steps plus everything between them (waiting for the loader, logging, the progress bar).
        List<long[]> s = trainer.spans;
        double loop = (s.get(s.size() - 1)[1] - s.get(warmup - 1)[1]) / 1e9;
        double inSteps = 0;
        List<Double> stepTimes = new ArrayList<>();
        for (int i = warmup; i < s.size(); i++) {
            double d = (s.get(i)[1] - s.get(i)[0]) / 1e9;
            inSteps += d;
            stepTimes.add(d);
        }
        double overhead = (loop - inSteps) / inSteps;

        timeSteps(trainer, fixed, steps - steps / 2, pure);
        double pureMedian = TrainStepBench.median(pure);
        // medians on both sides (a mean would follow the machine's outliers), plus the mean gap between steps
        double perStepInTrain = TrainStepBench.median(stepTimes) + (loop - inSteps) / steps;
        double vsPure = perStepInTrain / pureMedian - 1;

        // What the pipeline itself costs: assembling batches on this thread (prefetch 0), timed alone.
        // With prefetching this work runs beside the step, so its share of a step bounds the slowdown
        // it can cause, together with any wait between steps.
        double assembly;
        try (DataLoader loader = DataLoader.builder(split.train()).batchSize(BATCH).shuffle(true).seed(1).prefetch(0).build()) {
            int n = 0;
            long a0 = System.nanoTime();
            for (Batch b : loader) {
                b.get("tokens").getLong(0);
                n++;
            }
            assembly = (System.nanoTime() - a0) / 1e9 / n;
        }
        double pipelineBound = (loop - inSteps) / inSteps + assembly / TrainStepBench.median(stepTimes);

        double trainingPeak = ProcessMemory.peakResidentGb();
        boolean peakReset = ProcessMemory.resetPeak();
        List<Double> evals = new ArrayList<>();
        for (int i = 0; i < evaluations; i++) {
            long e0 = System.nanoTime();
            trainer.evaluate();
            evals.add((System.nanoTime() - e0) / 1e9);
        }

        Map<String, Object> out = new LinkedHashMap<>();
        out.put("bench", "train");
        out.put("backend", Backend.describe());
        out.put("batch", BATCH);
        out.put("seq", cfg.nCtx());
        out.put("steps_timed", steps);
        out.put("steps_per_s", Math.round(steps / loop * 1000) / 1000.0);
        out.put("median_step_s", TrainStepBench.median(stepTimes));
        out.put("between_steps_pct", Math.round(overhead * 1000) / 10.0);
        out.put("batch_assembly_ms", Math.round(assembly * 1e6) / 1000.0);
        out.put("data_pipeline_bound_pct", Math.round(pipelineBound * 10000) / 100.0);
        out.put("in_memory_step_median_s", pureMedian);
        out.put("train_step_vs_in_memory_pct", Math.round(vsPure * 1000) / 10.0);
        out.put("evaluate_1000_rows_median_s", TrainStepBench.median(evals));
        out.put("train_call_total_s", Math.round(trainTotal * 10) / 10.0);
        out.put("peak_rss_training_gb", trainingPeak);
        out.put(peakReset ? "peak_rss_evaluate_gb" : "peak_rss_gb", ProcessMemory.peakResidentGb());
        System.out.printf("train(): %.3f steps/s, %.3f s a step. Data pipeline: %.2f ms to assemble a batch, waits"
                        + " between steps %.2f%% of the step time, so it slows a step by at most %.2f%%. (The same step"
                        + " on a batch kept in memory: %.3f s, median; the difference, %+.1f%%, is the machine's noise.)"
                        + " evaluate() on %d rows: %.2f s (median of %d)%n", steps / loop, perStepInTrain, assembly * 1e3,
                overhead * 100, pipelineBound * 100, pureMedian, vsPure * 100, TEST_ROWS, TrainStepBench.median(evals), evaluations);
        System.out.println(TrainStepBench.toJson(out));
        deleteTree(work);
    }

    private static void deleteTree(Path dir) throws IOException {
        try (var paths = Files.walk(dir)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    private static void timeSteps(TransformerTrainer trainer, Batch batch, int n, List<Double> times) {
        for (int i = 0; i < n; i++) {
            long t0 = System.nanoTime();
            trainer.trainingStep(batch).item();
            if (times != null) {
                times.add((System.nanoTime() - t0) / 1e9);
            }
        }
    }

    /**
     * The generated stand-in stories ({@link StoryGenerator}), enough for at least {@code rows} rows,
     * written into a file in {@code work} and tokenized there by the real pipeline.
     */
    static TrainTestSplit data(Gpt2Tokenizer tokenizer, int nCtx, int rows, Path work) throws IOException {
        // The generated stories run at about 4.3 characters a token: 5 per token leaves a margin.
        Path file = work.resolve("TinyStories-train.txt");
        StoryGenerator.write(file, 1, 5L * rows * nCtx + 100_000);
        TokenizedDataset all = DataUtils.tokenizeAndConcatenate(TinyStories.load("train", file), tokenizer,
                maxLength(nCtx), numProc(Runtime.getRuntime().availableProcessors()), cacheDir(work.resolve("tokenized")));
        if (all.size() < rows) {
            throw new IllegalStateException("the generated data gave " + all.size() + " rows, fewer than the " + rows
                    + " needed: raise the characters-per-token margin in TrainBench.data");
        }
        return all.trainTestSplit(TEST_ROWS, 0);
    }
}
