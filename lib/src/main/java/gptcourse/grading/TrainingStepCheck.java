package gptcourse.grading;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import gptcourse.autograd.Tensor;
import gptcourse.data.Batch;
import gptcourse.train.TransformerTrainerBase;
import tech.tablesaw.api.Table;

/**
 * Checks {@code trainingStep}: two steps of a trainer on the check's model, recording the loss
 * returned, the loss on held-out rows after each step (which shows whether the parameters moved as
 * one AdamW step on the right loss moves them), the step counter and the logged {@code
 * train_loss}. {@link #observe} runs where the student's code runs; {@link #judge} compares two
 * observations (the student's and the reference solution's, made from the same weights), in the
 * grader's own JVM when grading.
 */
final class TrainingStepCheck {
    /** The sub-checks, in the order {@link #judge} reports them; each is worth an equal share. */
    static final List<String> PARTS = List.of("loss", "update", "zero-grad", "step-counter", "logging");
    /**
     * Gradients a step leaves behind are flipped and scaled by this before the second step: a
     * trainer that zeroes them at the start of its step is unaffected, one that never zeroes them
     * then steps the wrong way, which the held-out loss shows at once (AdamW's normalised update
     * would hide a mere doubling).
     */
    private static final double LEFTOVER_SCALE = -1e6;
    /** Predicted positions in a batch: the loss is their mean; their sum is a named mistake. */
    static final int POSITIONS = TinySetup.BATCH * (TinySetup.SEQ - 1);

    /**
     * What one trainer did in two steps. Losses are null when not a finite number; {@code problem}
     * is the sentence about what the student's code threw, or null.
     */
    record Observation(ClassFacts facts, String problem, boolean secondCall, Double loss1, Double loss2,
            Double heldOutBefore, Double heldOutAfter1, Double heldOutAfter2, boolean leftoverGradients,
            int stepAfter1, int stepAfter2, boolean loggedTrainLoss, List<Long> loggedSteps,
            List<Double> loggedValues) {
    }

    private TrainingStepCheck() {
    }

    static Observation observe(TinySetup setup, TransformerTrainerBase trainer) {
        ClassFacts facts = ClassFacts.of(trainer.getClass());
        Double before = TinySetup.heldOutLoss(trainer.model);
        StudentCode.Call<Double> step1 = StudentCode.call("trainingStep", () -> loss(trainer.trainingStep(
                setup.trainBatch(0))));
        if (step1.failed()) {
            return new Observation(facts, step1.problem(), false, null, null, before, null, null, false, trainer.step,
                    trainer.step, false, List.of(), List.of());
        }
        Double after1 = TinySetup.heldOutLoss(trainer.model);
        int stepAfter1 = trainer.step;
        boolean leftover = trainer.model.parameters().stream().anyMatch(p -> p.grad() != null);
        if (leftover) {
            trainer.model.parameters().stream().filter(p -> p.grad() != null)
                    .forEach(p -> p.grad().muli(LEFTOVER_SCALE));
        }
        StudentCode.Call<Double> step2 = StudentCode.call("trainingStep", () -> loss(trainer.trainingStep(
                setup.trainBatch(1))));
        if (step2.failed()) {
            return new Observation(facts, "the second call: " + step2.problem(), true, step1.value(), null, before,
                    after1, null, leftover, stepAfter1, trainer.step, false, List.of(), List.of());
        }
        List<Long> steps = new ArrayList<>();
        List<Double> values = new ArrayList<>();
        Table metrics = trainer.tracker.metrics();
        boolean logged = metrics.containsColumn("train_loss");
        for (int r = 0; logged && r < metrics.rowCount() && steps.size() < 100; r++) {
            double v = metrics.doubleColumn("train_loss").getDouble(r);
            if (!Double.isNaN(v)) {
                steps.add(metrics.longColumn("step").get(r));
                values.add(finite(v));
            }
        }
        return new Observation(facts, null, true, step1.value(), step2.value(), before, after1,
                TinySetup.heldOutLoss(trainer.model), leftover, stepAfter1, trainer.step, logged, steps, values);
    }

    /** The loss as a number; a tensor that is not one number throws, which the caller reports. */
    private static Double loss(Tensor loss) {
        if (loss == null) {
            throw new IllegalStateException("trainingStep returned null. Hint: return the loss tensor");
        }
        if (loss.data().length() != 1) {
            throw new IllegalStateException("the returned tensor has shape " + java.util.Arrays.toString(
                    loss.data().shape()) + ", not a single number. Hint: return the loss, the mean over every position");
        }
        return finite(loss.item());
    }

    static Double finite(double v) {
        return Double.isFinite(v) ? v : null;
    }

    static CheckReport judge(Observation s, Observation ref) {
        CheckReport report = new CheckReport("trainingStep");
        String notOwn = s.facts().notTheirOwn("trainingStep");
        if (notOwn != null) {
            return report.failAll(PARTS.size(), notOwn);
        }
        if (s.problem() != null && !s.secondCall()) {
            return report.fail(s.problem()).failAll(PARTS.size() - 1, "not checked: the first call failed");
        }
        judgeLoss(report, s.loss1(), ref.loss1());
        judgeUpdate(report, s.heldOutBefore(), s.heldOutAfter1(), ref.heldOutAfter1());
        if (s.problem() != null) {
            return report.fail(s.problem()).failAll(2, "not checked: the second call failed");
        }
        if (close(s.heldOutAfter2(), ref.heldOutAfter2())) {
            report.pass("a second step matches the reference too: no gradients pile up from one step to the next");
        } else if (s.leftoverGradients()) {
            report.fail(String.format(Locale.ROOT, "the first step left its gradients in the parameters, and the second"
                    + " step added to them (held-out loss %s, the reference %s). Hint: call optimizer.zeroGrad()"
                    + " after optimizer.step()", num(s.heldOutAfter2()), num(ref.heldOutAfter2())));
        } else {
            report.fail(String.format(Locale.ROOT, "after a second step the held-out loss is %s, the reference %s:"
                    + " each call should do exactly one forward, backward and optimizer step", num(s.heldOutAfter2()),
                    num(ref.heldOutAfter2())));
        }
        report.check(s.stepAfter1() == 1 && s.stepAfter2() == 2, "trainer.step counts the steps (1, then 2)",
                "trainer.step is " + s.stepAfter1() + " after one call and " + s.stepAfter2() + " after two, expected"
                        + " 1 and 2. Hint: add step++ once per training step");
        judgeLogging(report, s);
        return report;
    }

    private static void judgeLoss(CheckReport report, Double value, Double expected) {
        if (value == null) {
            report.fail("the returned loss is not a finite number (NaN or infinite). Hint: the loss is the"
                    + " negative mean log-probability, getLogProbs(logits, tokens).mean().neg()");
        } else if (close(value, expected)) {
            report.pass(String.format(Locale.ROOT, "returns the loss, %.4f, as the reference solution does", value));
        } else if (close(value, -expected)) {
            report.fail(String.format(Locale.ROOT, "the loss is %.4f but should be %.4f: the sign is wrong. Hint: the"
                    + " loss is the negative mean log-probability, getLogProbs(logits, tokens).mean().neg()", value,
                    expected));
        } else if (close(value, expected * POSITIONS) || close(value, -expected * POSITIONS)
                || close(Math.abs(value), expected * (TinySetup.SEQ - 1))) {
            report.fail(String.format(Locale.ROOT, "the loss is %.4f but should be %.4f: that is the sum over the"
                    + " positions, not the mean. Hint: .mean(), not .sum(), so that the loss (and the step size) does"
                    + " not grow with the batch", value, expected));
        } else {
            report.fail(String.format(Locale.ROOT, "the loss is %.4f but should be %.4f. Hint: the loss is the mean"
                    + " over every position of -getLogProbs(logits, tokens), computed before the update", value,
                    expected));
        }
    }

    private static void judgeUpdate(CheckReport report, Double before, Double after, Double expected) {
        if (close(after, expected)) {
            report.pass(String.format(Locale.ROOT, "the parameters moved as one AdamW step moves them (held-out loss"
                    + " %s -> %s)", num(before), num(after)));
        } else if (close(after, before)) {
            report.fail(String.format(Locale.ROOT, "the parameters did not change (held-out loss still %s, the"
                    + " reference %s after its step). Hint: call loss.backward(), then optimizer.step()", num(after),
                    num(expected)));
        } else if (after != null && before != null && after > before) {
            report.fail(String.format(Locale.ROOT, "the step made the model worse: held-out loss %s -> %s (the"
                    + " reference: %s). Hint: backward() must run on the loss you minimise, the negative mean"
                    + " log-probability", num(before), num(after), num(expected)));
        } else {
            report.fail(String.format(Locale.ROOT, "after one step the held-out loss is %s, the reference %s: the"
                    + " parameters moved, but not as one AdamW step on the mean loss does. Hint: one backward() and"
                    + " one optimizer.step() per call, on the mean", num(after), num(expected)));
        }
    }

    private static void judgeLogging(CheckReport report, Observation s) {
        if (!s.loggedTrainLoss()) {
            report.fail("nothing was logged as \"train_loss\". Hint: tracker.log(Map.of(\"train_loss\", loss.item()),"
                    + " step) (the tutorial's wandb.log)");
            return;
        }
        List<Double> returned = java.util.Arrays.asList(s.loss1(), s.loss2());
        boolean sameValues = s.loggedValues().size() == returned.size();
        for (int i = 0; sameValues && i < returned.size(); i++) {
            sameValues = close(s.loggedValues().get(i), returned.get(i));
        }
        if (s.loggedSteps().equals(List.of(1L, 2L)) && sameValues) {
            report.pass("logs \"train_loss\" at steps 1 and 2");
        } else if (!s.loggedSteps().equals(List.of(1L, 2L))) {
            report.fail("\"train_loss\" was logged at steps " + s.loggedSteps() + ", expected [1, 2]. Hint: log once"
                    + " per step, after step++, with the new step");
        } else {
            report.fail("the logged \"train_loss\" values " + s.loggedValues() + " are not the returned losses "
                    + returned + ". Hint: log loss.item()");
        }
    }

    private static String num(Double v) {
        return v == null ? "not a number" : String.format(Locale.ROOT, "%.4f", v);
    }

    static boolean close(Double a, Double b) {
        return a != null && b != null && Math.abs(a - b) <= 1e-5 + 1e-4 * Math.abs(b);
    }
}
