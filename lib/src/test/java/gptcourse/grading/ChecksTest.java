package gptcourse.grading;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import gptcourse.autograd.Tensor;
import gptcourse.data.Batch;
import gptcourse.data.TrainTestSplit;
import gptcourse.model.DemoTransformer;
import gptcourse.model.LogProbs;
import gptcourse.train.TransformerTrainer;
import gptcourse.train.TransformerTrainingArgs;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The self-checks pass the reference solution and a valid variant of it, and fail the usual
 * mistakes with a message that names them. Each wrong trainer below is the reference with one
 * method changed.
 */
class ChecksTest {

    // ------------------------------------------------------------------ trainers under test

    /** Zeroes the gradients at the start of the step instead of the end: also correct. */
    static class ZeroGradFirst extends TransformerTrainer {
        ZeroGradFirst(TransformerTrainingArgs a, DemoTransformer m, TrainTestSplit d) {
            super(a, m, d);
        }

        @Override
        public Tensor trainingStep(Batch batch) {
            optimizer.zeroGrad();
            INDArray tokens = batch.get("tokens");
            Tensor loss = LogProbs.getLogProbs(model.forward(tokens), tokens).mean().neg();
            loss.backward();
            optimizer.step();
            step++;
            tracker.log(Map.of("train_loss", loss.item()), step);
            return loss;
        }
    }

    /** A trainingStep with one thing changed, chosen by the flags. */
    static class Step extends TransformerTrainer {
        boolean negate = true;
        boolean zeroGrad = true;
        boolean count = true;
        boolean log = true;

        Step(TransformerTrainingArgs a, DemoTransformer m, TrainTestSplit d) {
            super(a, m, d);
        }

        @Override
        public Tensor trainingStep(Batch batch) {
            INDArray tokens = batch.get("tokens");
            Tensor logProbs = LogProbs.getLogProbs(model.forward(tokens), tokens).mean();
            Tensor loss = negate ? logProbs.neg() : logProbs;
            loss.backward();
            optimizer.step();
            if (zeroGrad) {
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
    }

    private static TrainerFactory step(java.util.function.Consumer<Step> change) {
        return (a, m, d) -> {
            Step s = new Step(a, m, d);
            change.accept(s);
            return s;
        };
    }

    /** Divides by every position, the last one included. */
    static class EveryPosition extends TransformerTrainer {
        EveryPosition(TransformerTrainingArgs a, DemoTransformer m, TrainTestSplit d) {
            super(a, m, d);
        }

        @Override
        public double evaluate() {
            long right = 0;
            long total = 0;
            for (Batch batch : testLoader) {
                INDArray tokens = batch.get("tokens");
                long seq = tokens.size(1);
                INDArray predicted = model.forward(tokens).data().argMax(2)
                        .get(org.nd4j.linalg.indexing.NDArrayIndex.all(),
                                org.nd4j.linalg.indexing.NDArrayIndex.interval(0, seq - 1));
                INDArray targets = tokens.get(org.nd4j.linalg.indexing.NDArrayIndex.all(),
                        org.nd4j.linalg.indexing.NDArrayIndex.interval(1, seq));
                right += predicted.eq(targets.castTo(predicted.dataType())).castTo(
                        org.nd4j.linalg.api.buffer.DataType.INT64).sumNumber().longValue();
                total += tokens.size(0) * seq;
            }
            double accuracy = (double) right / total;
            tracker.log(Map.of("accuracy", accuracy), step);
            return accuracy;
        }
    }

    /** The tutorial's loop, which breaks after the step and so runs one step too many per epoch. */
    static class OneTooMany extends TransformerTrainer {
        OneTooMany(TransformerTrainingArgs a, DemoTransformer m, TrainTestSplit d) {
            super(a, m, d);
        }

        @Override
        public void train() {
            startRun();
            for (int epoch = 0; epoch < args.epochs; epoch++) {
                int i = 0;
                for (Batch batch : trainLoader) {
                    trainingStep(batch);
                    if (i >= args.maxStepsPerEpoch) {
                        break;
                    }
                    i++;
                }
                evaluate();
            }
            tracker.finish();
        }
    }

    /** Forgets tracker.finish(). */
    static class Unfinished extends TransformerTrainer {
        Unfinished(TransformerTrainingArgs a, DemoTransformer m, TrainTestSplit d) {
            super(a, m, d);
        }

        @Override
        public void train() {
            startRun();
            for (int epoch = 0; epoch < args.epochs; epoch++) {
                for (Batch batch : epochBatches(epoch)) {
                    trainingStep(batch);
                }
                evaluate();
            }
        }
    }

    static class Stub extends TransformerTrainer {
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

    // ------------------------------------------------------------------ tests

    @Test
    void theReferenceSolutionPassesEveryCheck() {
        for (CheckReport r : List.of(Checks.trainingStep(TransformerTrainer::new), Checks.evaluate(TransformerTrainer::new),
                Checks.train(TransformerTrainer::new))) {
            assertTrue(r.passed(), r.name() + ": " + r.lines());
            r.require();
        }
    }

    @Test
    void zeroingTheGradientsAtTheStartOfTheStepAlsoPasses() {
        CheckReport r = Checks.trainingStep(ZeroGradFirst::new);
        assertTrue(r.passed(), r.lines().toString());
    }

    @Test
    void aLossWithTheWrongSignIsNamed() {
        CheckReport r = Checks.trainingStep(step(s -> s.negate = false));
        assertFalse(r.passed());
        assertTrue(r.failures().get(0).text().contains("the sign is wrong"), r.lines().toString());
        CheckFailed e = assertThrows(CheckFailed.class, r::require);
        assertTrue(e.getMessage().startsWith("trainingStep: the loss is -"), e.getMessage());
    }

    @Test
    void gradientsLeftBetweenStepsAreNamed() {
        CheckReport r = Checks.trainingStep(step(s -> s.zeroGrad = false));
        assertEquals(1, r.failures().size(), r.lines().toString());
        assertTrue(r.failures().get(0).text().contains("optimizer.zeroGrad()"), r.lines().toString());
    }

    @Test
    void aStepCounterThatStaysAtZeroIsNamed() {
        CheckReport r = Checks.trainingStep(step(s -> s.count = false));
        assertFalse(r.passed());
        assertTrue(r.lines().stream().anyMatch(l -> l.startsWith("✘ trainer.step is 0 after one call")),
                r.lines().toString());
    }

    @Test
    void aMissingLogIsNamed() {
        CheckReport r = Checks.trainingStep(step(s -> s.log = false));
        assertEquals(1, r.failures().size(), r.lines().toString());
        assertTrue(r.failures().get(0).text().startsWith("nothing was logged as \"train_loss\""), r.lines().toString());
    }

    @Test
    void countingEveryPositionIsNamed() {
        CheckReport r = Checks.evaluate(EveryPosition::new);
        assertEquals(1, r.failures().size(), r.lines().toString());
        assertTrue(r.failures().get(0).text().contains("batch x (seq - 1) predictions"), r.lines().toString());
    }

    @Test
    void oneStepTooManyPerEpochIsNamed() {
        CheckReport r = Checks.train(OneTooMany::new);
        assertEquals(1, r.failures().size(), r.lines().toString());
        assertTrue(r.failures().get(0).text().contains("one step too many per epoch"), r.lines().toString());
    }

    @Test
    void anUnfinishedRunIsNamed() {
        CheckReport r = Checks.train(Unfinished::new);
        assertEquals(1, r.failures().size(), r.lines().toString());
        assertTrue(r.failures().get(0).text().contains("tracker.finish()"), r.lines().toString());
    }

    @Test
    void anUnwrittenExerciseAndSystemExitGetOneSentenceEach() {
        CheckReport step = Checks.trainingStep(Stub::new);
        assertEquals(List.of("✘ trainingStep is not written yet: it still throws UnsupportedOperationException(\"exercise\")."
                + " Replace that line with your code."), step.lines());
        CheckReport eval = Checks.evaluate(Stub::new);
        assertTrue(eval.lines().get(0).startsWith("✘ evaluate called System.exit, which the notebook blocks"),
                eval.lines().toString());
    }

    @Test
    void requireReusesTheSelfCheckOfTheSameClassAndNamesTheMethods() {
        CheckReport shown = Checks.trainingStep(step(s -> s.negate = false));
        CheckFailed e = assertThrows(CheckFailed.class, () -> Checks.require("trainingStep", step(s -> s.negate = false)));
        assertTrue(e.getMessage().contains(shown.failures().get(0).text()), e.getMessage());
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
                () -> Checks.require("training_step", TransformerTrainer::new));
        assertEquals("there is no check of \"training_step\": the checks are [\"trainingStep\", \"evaluate\", \"train\"]",
                bad.getMessage());
    }

    @Test
    void theChecksLeaveNoRunsBehindAndRestoreTheRunsDir() {
        System.setProperty("gptcourse.runsDir", "/somewhere/else");
        try {
            Checks.train(TransformerTrainer::new);
            assertEquals("/somewhere/else", System.getProperty("gptcourse.runsDir"));
        } finally {
            System.clearProperty("gptcourse.runsDir");
        }
    }
}
