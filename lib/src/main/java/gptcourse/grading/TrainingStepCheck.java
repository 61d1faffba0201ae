package gptcourse.grading;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import gptcourse.autograd.Tensor;
import gptcourse.data.Batch;
import gptcourse.model.DemoTransformer;
import gptcourse.train.TransformerTrainer;
import gptcourse.train.TransformerTrainerBase;
import tech.tablesaw.api.Table;

/**
 * Checks {@code trainingStep}: two steps of the student's trainer next to two of the reference
 * on twin models, comparing the loss returned, the loss on held-out rows after each step (which
 * shows whether the parameters moved as one AdamW step on the right loss moves them), the step
 * counter and the logged {@code train_loss}.
 */
final class TrainingStepCheck {
    /**
     * Gradients a step leaves behind are flipped and scaled by this before the second step: a
     * trainer that zeroes them at the start of its step is unaffected, one that never zeroes them
     * then steps the wrong way, which the held-out loss shows at once (AdamW's normalised update
     * would hide a mere doubling).
     */
    private static final double LEFTOVER_SCALE = -1e6;

    private TrainingStepCheck() {
    }

    static CheckReport run(TinySetup setup, TransformerTrainerBase student) {
        CheckReport report = new CheckReport("trainingStep");
        DemoTransformer twin = setup.model();
        TransformerTrainer reference = setup.reference(twin);
        double before = TinySetup.heldOutLoss(student.model);

        List<Double> returned = new ArrayList<>();
        Batch first = setup.trainBatch(0);
        StudentCode.Call<Tensor> step1 = StudentCode.call("trainingStep", () -> student.trainingStep(first));
        if (step1.failed()) {
            return report.fail(step1.problem());
        }
        double expected1 = reference.trainingStep(first).item();
        if (!checkLoss(report, step1.value(), expected1, returned)) {
            return report;
        }
        int stepAfterOne = student.step;
        checkMoved(report, student.model, twin, before);

        boolean leftover = student.model.parameters().stream().anyMatch(p -> p.grad() != null);
        if (leftover) {
            student.model.parameters().stream().filter(p -> p.grad() != null)
                    .forEach(p -> p.grad().muli(LEFTOVER_SCALE));
        }
        Batch second = setup.trainBatch(1);
        StudentCode.Call<Tensor> step2 = StudentCode.call("trainingStep", () -> student.trainingStep(second));
        if (step2.failed()) {
            return report.fail("the second call: " + step2.problem());
        }
        reference.trainingStep(second);
        returned.add(step2.value() == null ? Double.NaN : step2.value().item());
        double studentAfter = TinySetup.heldOutLoss(student.model);
        double referenceAfter = TinySetup.heldOutLoss(twin);
        if (close(studentAfter, referenceAfter)) {
            report.pass("a second step matches the reference too: no gradients pile up from one step to the next");
        } else if (leftover) {
            report.fail(String.format(Locale.ROOT, "the first step left its gradients in the parameters, and the second"
                    + " step added to them (held-out loss %.4f, the reference %.4f). Hint: call optimizer.zeroGrad()"
                    + " after optimizer.step()", studentAfter, referenceAfter));
        } else {
            report.fail(String.format(Locale.ROOT, "after a second step the held-out loss is %.4f, the reference %.4f:"
                    + " each call should do exactly one forward, backward and optimizer step", studentAfter,
                    referenceAfter));
        }

        report.check(stepAfterOne == 1 && student.step == 2, "trainer.step counts the steps (1, then 2)",
                "trainer.step is " + stepAfterOne + " after one call and " + student.step + " after two, expected 1"
                        + " and 2. Hint: add step++ once per training step");
        checkLogged(report, student, returned);
        return report;
    }

    /** The returned loss against the reference's; false if nothing more can be checked. */
    private static boolean checkLoss(CheckReport report, Tensor loss, double expected, List<Double> returned) {
        if (loss == null) {
            report.fail("trainingStep returned null. Hint: return the loss tensor");
            return false;
        }
        double value;
        try {
            value = loss.item();
        } catch (RuntimeException e) {
            report.fail("the returned tensor is not a single number (" + e.getMessage() + "). Hint: return the loss,"
                    + " the mean over every position");
            return false;
        }
        returned.add(value);
        if (close(value, expected)) {
            report.pass(String.format(Locale.ROOT, "returns the loss, %.4f, as the reference solution does", value));
        } else if (close(value, -expected)) {
            report.fail(String.format(Locale.ROOT, "the loss is %.4f but should be %.4f: the sign is wrong. Hint: the"
                    + " loss is the negative mean log-probability, getLogProbs(logits, tokens).mean().neg()", value,
                    expected));
        } else {
            report.fail(String.format(Locale.ROOT, "the loss is %.4f but should be %.4f. Hint: the loss is the mean"
                    + " over every position of -getLogProbs(logits, tokens), computed before the update", value,
                    expected));
        }
        return true;
    }

    private static void checkMoved(CheckReport report, DemoTransformer model, DemoTransformer twin, double before) {
        double after = TinySetup.heldOutLoss(model);
        double expected = TinySetup.heldOutLoss(twin);
        if (close(after, expected)) {
            report.pass(String.format(Locale.ROOT, "the parameters moved as one AdamW step moves them (held-out loss"
                    + " %.4f -> %.4f)", before, after));
        } else if (close(after, before)) {
            report.fail(String.format(Locale.ROOT, "the parameters did not change (held-out loss still %.4f, the"
                    + " reference %.4f after its step). Hint: call loss.backward(), then optimizer.step()", after,
                    expected));
        } else if (after > before) {
            report.fail(String.format(Locale.ROOT, "the step made the model worse: held-out loss %.4f -> %.4f (the"
                    + " reference: %.4f). Hint: backward() must run on the loss you minimise, the negative mean"
                    + " log-probability", before, after, expected));
        } else {
            report.fail(String.format(Locale.ROOT, "after one step the held-out loss is %.4f, the reference %.4f: the"
                    + " parameters moved, but not as one AdamW step on the loss does. Hint: one backward() and one"
                    + " optimizer.step() per call", after, expected));
        }
    }

    private static void checkLogged(CheckReport report, TransformerTrainerBase student, List<Double> returned) {
        Table metrics = student.tracker.metrics();
        if (!metrics.containsColumn("train_loss")) {
            report.fail("nothing was logged as \"train_loss\". Hint: tracker.log(Map.of(\"train_loss\", loss.item()),"
                    + " step) (the tutorial's wandb.log)");
            return;
        }
        List<Long> steps = new ArrayList<>();
        List<Double> values = new ArrayList<>();
        for (int r = 0; r < metrics.rowCount(); r++) {
            double v = metrics.doubleColumn("train_loss").getDouble(r);
            if (!Double.isNaN(v)) {
                steps.add(metrics.longColumn("step").get(r));
                values.add(v);
            }
        }
        boolean sameValues = values.size() == returned.size();
        for (int i = 0; sameValues && i < values.size(); i++) {
            sameValues = close(values.get(i), returned.get(i));
        }
        if (steps.equals(List.of(1L, 2L)) && sameValues) {
            report.pass("logs \"train_loss\" at steps 1 and 2");
        } else if (!steps.equals(List.of(1L, 2L))) {
            report.fail("\"train_loss\" was logged at steps " + steps + ", expected [1, 2]. Hint: log once per step,"
                    + " after step++, with the new step");
        } else {
            report.fail("the logged \"train_loss\" values " + values + " are not the returned losses " + returned
                    + ". Hint: log loss.item()");
        }
    }

    static boolean close(double a, double b) {
        return Math.abs(a - b) <= 1e-5 + 1e-4 * Math.abs(b);
    }
}
