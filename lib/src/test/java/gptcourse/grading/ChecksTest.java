package gptcourse.grading;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import gptcourse.autograd.GradMode;
import gptcourse.autograd.Tensor;
import gptcourse.data.Batch;
import gptcourse.data.TrainTestSplit;
import gptcourse.model.DemoTransformer;
import gptcourse.model.LogProbs;
import gptcourse.train.TransformerTrainer;
import gptcourse.train.TransformerTrainerBase;
import gptcourse.train.TransformerTrainingArgs;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The self-checks pass a student's correct trainer, refuse one that inherits the library's
 * reference solution, and fail the usual mistakes with a message that names them, every failed
 * sub-check listed. Each wrong trainer below is the correct one with one thing changed by a flag.
 */
class ChecksTest {

    // ------------------------------------------------------------------ trainers under test

    /** A student's correct trainer, written in its own class as the exercise asks; flags break one thing each. */
    static class Own extends TransformerTrainerBase {
        boolean negate = true;
        boolean sum = false;
        boolean zeroGrad = true;
        boolean zeroGradFirst = false;
        boolean count = true;
        boolean log = true;
        boolean shift = true;
        boolean everyPosition = false;
        boolean perBatchMean = false;
        boolean firstBatchOnly = false;
        boolean inferenceMode = true;
        boolean oneStepTooMany = false;
        boolean finish = true;

        Own(TransformerTrainingArgs a, DemoTransformer m, TrainTestSplit d) {
            super(a, m, d);
        }

        @Override
        public Tensor trainingStep(Batch batch) {
            if (zeroGradFirst) {
                optimizer.zeroGrad();
            }
            INDArray tokens = batch.get("tokens");
            Tensor logProbs = LogProbs.getLogProbs(model.forward(tokens), tokens);
            Tensor total = sum ? logProbs.sum() : logProbs.mean();
            Tensor loss = negate ? total.neg() : total;
            loss.backward();
            optimizer.step();
            if (zeroGrad && !zeroGradFirst) {
                optimizer.zeroGrad();
            }
            if (count) {
                step++;
            }
            if (log) {
                tracker.log(Map.of("train_loss", loss.item()), step);
            }
            return loss;
        }

        @Override
        @SuppressWarnings("try")
        public double evaluate() {
            try (var mode = inferenceMode ? GradMode.inferenceMode() : GradMode.enableGrad()) {
                long right = 0;
                long total = 0;
                List<Double> perBatch = new ArrayList<>();
                for (Batch batch : testLoader) {
                    INDArray tokens = batch.get("tokens");
                    long seq = tokens.size(1);
                    INDArray predicted = model.forward(tokens).data().argMax(2);
                    INDArray p = shift ? predicted.get(NDArrayIndex.all(), NDArrayIndex.interval(0, seq - 1))
                            : predicted;
                    INDArray t = shift ? tokens.get(NDArrayIndex.all(), NDArrayIndex.interval(1, seq)) : tokens;
                    long r = p.eq(t.castTo(p.dataType())).castTo(DataType.INT64).sumNumber().longValue();
                    long n = tokens.size(0) * (everyPosition || !shift ? seq : seq - 1);
                    right += r;
                    total += n;
                    perBatch.add((double) r / n);
                    if (firstBatchOnly) {
                        break;
                    }
                }
                double accuracy = perBatchMean ? perBatch.stream().mapToDouble(Double::doubleValue).average()
                        .orElse(0) : (double) right / total;
                tracker.log(Map.of("accuracy", accuracy), step);
                return accuracy;
            }
        }

        @Override
        public void train() {
            startRun();
            for (int epoch = 0; epoch < args.epochs; epoch++) {
                int i = 0;
                for (Batch batch : oneStepTooMany ? trainLoader : epochBatches(epoch)) {
                    trainingStep(batch);
                    if (oneStepTooMany && i++ >= args.maxStepsPerEpoch) {
                        break;
                    }
                }
                evaluate();
            }
            if (finish) {
                tracker.finish();
            }
        }
    }

    private static TrainerFactory own(Consumer<Own> change) {
        return (a, m, d) -> {
            Own s = new Own(a, m, d);
            change.accept(s);
            return s;
        };
    }

    /** The library's reference solution, inherited whole: what the exercise must not be. */
    static class Inherits extends TransformerTrainer {
        Inherits(TransformerTrainingArgs a, DemoTransformer m, TrainTestSplit d) {
            super(a, m, d);
        }
    }

    static class Stub extends Own {
        Stub(TransformerTrainingArgs a, DemoTransformer m, TrainTestSplit d) {
            super(a, m, d);
        }

        @Override
        public Tensor trainingStep(Batch batch) {
            throw new UnsupportedOperationException("exercise");
        }

        @Override
        public double evaluate() {
            // what the kernel's exit guard throws when a cell calls System.exit
            throw new SecurityException("System.exit(0) is blocked in a notebook: it would end the kernel.");
        }
    }

    private static String onlyFailure(CheckReport r) {
        assertEquals(1, r.failures().size(), r.lines().toString());
        return r.failures().get(0).text();
    }

    // ------------------------------------------------------------------ tests

    @Test
    void aCorrectTrainerOfTheStudentsOwnPassesEveryCheck() {
        for (CheckReport r : List.of(Checks.trainingStep(own(s -> { })), Checks.evaluate(own(s -> { })),
                Checks.train(own(s -> { })))) {
            assertTrue(r.passed(), r.name() + ": " + r.lines());
            r.require();
        }
        assertEquals(TrainingStepCheck.PARTS.size(), Checks.trainingStep(own(s -> { })).results().size());
        assertEquals(EvaluateCheck.PARTS.size(), Checks.evaluate(own(s -> { })).results().size());
    }

    @Test
    void inheritingTheReferenceSolutionFailsEverySubCheck() {
        CheckReport r = Checks.trainingStep(Inherits::new);
        assertEquals(TrainingStepCheck.PARTS.size(), r.failures().size(), r.lines().toString());
        assertTrue(r.failures().get(0).text().startsWith("the trainer extends the library's reference solution"
                + " (TransformerTrainer) and inherits trainingStep from gptcourse.train.TransformerTrainer"),
                r.lines().toString());
        assertFalse(Checks.evaluate(TransformerTrainer::new).passed());
    }

    @Test
    void zeroingTheGradientsAtTheStartOfTheStepAlsoPasses() {
        CheckReport r = Checks.trainingStep(own(s -> s.zeroGradFirst = true));
        assertTrue(r.passed(), r.lines().toString());
    }

    @Test
    void aLossWithTheWrongSignIsNamed() {
        CheckReport r = Checks.trainingStep(own(s -> s.negate = false));
        assertTrue(r.failures().get(0).text().contains("the sign is wrong"), r.lines().toString());
        CheckFailed e = assertThrows(CheckFailed.class, r::require);
        assertTrue(e.getMessage().startsWith("trainingStep: the loss is -"), e.getMessage());
    }

    @Test
    void aSumInsteadOfTheMeanIsNamed() {
        CheckReport r = Checks.trainingStep(own(s -> s.sum = true));
        assertTrue(r.failures().get(0).text().contains("that is the sum over the positions, not the mean"),
                r.lines().toString());
    }

    @Test
    void gradientsLeftBetweenStepsAreNamed() {
        assertTrue(onlyFailure(Checks.trainingStep(own(s -> s.zeroGrad = false))).contains("optimizer.zeroGrad()"));
    }

    @Test
    void aStepCounterThatStaysAtZeroAndAMissingLogAreBothListed() {
        CheckReport r = Checks.trainingStep(own(s -> {
            s.count = false;
            s.log = false;
        }));
        assertEquals(2, r.failures().size(), r.lines().toString());
        assertTrue(r.lines().stream().anyMatch(l -> l.startsWith("✘ trainer.step is 0 after one call")));
        assertTrue(r.lines().stream().anyMatch(l -> l.startsWith("✘ nothing was logged as \"train_loss\"")));
        CheckFailed e = assertThrows(CheckFailed.class, r::require);
        assertTrue(e.getMessage().contains("trainer.step is 0") && e.getMessage().contains("train_loss"),
                e.getMessage());
    }

    @Test
    void eachAccuracyMistakeGivesADifferentNumberAndIsNamed() {
        assertTrue(onlyFailure(Checks.evaluate(own(s -> s.shift = false))).contains("argmax of logits[:, :-1] against"
                + " tokens[:, 1:]"));
        assertTrue(onlyFailure(Checks.evaluate(own(s -> s.everyPosition = true))).contains("batch x (seq - 1)"));
        assertTrue(onlyFailure(Checks.evaluate(own(s -> s.perBatchMean = true))).contains("per-batch accuracies"));
        assertTrue(onlyFailure(Checks.evaluate(own(s -> s.firstBatchOnly = true))).contains("not only the first"));
    }

    @Test
    void evaluatingWithGradientsOnIsNamed() {
        assertTrue(onlyFailure(Checks.evaluate(own(s -> s.inferenceMode = false))).contains("gradients were on"));
    }

    @Test
    void oneStepTooManyPerEpochAndAnUnfinishedRunAreNamed() {
        assertTrue(onlyFailure(Checks.train(own(s -> s.oneStepTooMany = true))).contains("one step too many per epoch"));
        assertTrue(onlyFailure(Checks.train(own(s -> s.finish = false))).contains("tracker.finish()"));
    }

    @Test
    void anUnwrittenExerciseAndSystemExitGetOneSentenceEach() {
        CheckReport step = Checks.trainingStep(Stub::new);
        assertEquals("✘ trainingStep is not written yet: it still throws UnsupportedOperationException(\"exercise\")."
                + " Replace that line with your code.", step.lines().get(0));
        assertEquals(TrainingStepCheck.PARTS.size(), step.failures().size());
        CheckReport eval = Checks.evaluate(Stub::new);
        assertTrue(eval.lines().get(0).startsWith("✘ evaluate called System.exit, which the notebook blocks"),
                eval.lines().toString());
    }

    @Test
    void requireReusesTheSelfCheckOfTheSameClassAndNamesTheMethods() {
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
                () -> Checks.require("training_step", own(s -> { })));
        assertEquals("there is no check of \"training_step\": the checks are [\"trainingStep\", \"evaluate\", \"train\"]",
                bad.getMessage());
        // A class of its own: reports are reused per class, and other tests check Own with mistakes in it.
        assertTrue(Checks.trainingStep(Correct::new).passed());
        Checks.require("trainingStep", Correct::new);
    }

    /** A correct trainer under a class name no other test uses. */
    static class Correct extends Own {
        Correct(TransformerTrainingArgs a, DemoTransformer m, TrainTestSplit d) {
            super(a, m, d);
        }
    }

    @Test
    void theGradersJudgeGivesTheSameVerdictFromTheObservationsAsJson() {
        GradingServer server = GradingServer.prepared();
        try (TinySetup setup = TinySetup.open()) {
            Own wrong = setup.track(new Own(TinySetup.args(), setup.model(), TinySetup.split()));
            wrong.negate = false;
            Object observed = TrainingStepCheck.observe(setup, wrong);
            String line = GradingChannel.GSON.toJson(Map.of("method", "trainingStep", "observation", observed));
            Map<String, Object> answer = server.answer(line);
            @SuppressWarnings("unchecked")
            List<CheckReport.Result> results = (List<CheckReport.Result>) answer.get("results");
            assertEquals(TrainingStepCheck.PARTS.size(), results.size(), answer.toString());
            assertTrue(results.get(0).text().contains("the sign is wrong"), answer.toString());
        }
        assertTrue(server.answer("{\"method\": \"trainingStep\", \"observation\": [1, 2]}").containsKey("error"));
        assertTrue(server.answer("not json").containsKey("error"));
    }

    @Test
    void theChecksLeaveNoRunsBehindAndRestoreTheRunsDir() {
        System.setProperty("gptcourse.runsDir", "/somewhere/else");
        try {
            Checks.train(own(s -> { }));
            assertEquals("/somewhere/else", System.getProperty("gptcourse.runsDir"));
        } finally {
            System.clearProperty("gptcourse.runsDir");
        }
    }
}
