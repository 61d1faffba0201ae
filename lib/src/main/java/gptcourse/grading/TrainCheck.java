package gptcourse.grading;

import java.nio.file.Files;
import java.util.List;
import java.util.Locale;

import gptcourse.train.TransformerTrainerBase;

/**
 * Checks {@code train}: a short run (two epochs of two steps) must take exactly that many steps,
 * evaluate once per epoch, start and finish the tracked run, and lower the loss. Its own output
 * (progress bar, chart, samples) is not shown. (Notebook 03 now gives {@code train()}; the check
 * stays for self-study.)
 */
final class TrainCheck {
    static final List<String> PARTS = List.of("steps", "evaluations", "run-started", "run-finished", "loss-fell");

    /** What one run of {@code train()} did. */
    record Observation(ClassFacts facts, String problem, int steps, int evaluations, boolean started, boolean finished,
            Double heldOutBefore, Double heldOutAfter) {
    }

    private TrainCheck() {
    }

    static Observation observe(TransformerTrainerBase trainer) {
        ClassFacts facts = ClassFacts.of(trainer.getClass());
        Double before = TrainingStepCheck.finite(TinySetup.heldOutLoss(trainer.model));
        StudentCode.Call<Boolean> call = StudentCode.callQuietly("train", () -> {
            trainer.train();
            return Boolean.TRUE;
        });
        boolean started = trainer.tracker.dir() != null;
        return new Observation(facts, call.problem(), trainer.step, trainer.tracker.values("accuracy").size(), started,
                started && Files.exists(trainer.tracker.dir().resolve("summary.json")), before,
                TrainingStepCheck.finite(TinySetup.heldOutLoss(trainer.model)));
    }

    static CheckReport judge(Observation s) {
        CheckReport report = new CheckReport("train");
        String notOwn = s.facts().notTheirOwn("train");
        if (notOwn != null) {
            return report.failAll(PARTS.size(), notOwn);
        }
        if (s.problem() != null) {
            return report.fail(s.problem()).failAll(PARTS.size() - 1, "not checked: train failed");
        }
        var args = TinySetup.args();
        int batches = (TinySetup.split().train().size() + args.batchSize - 1) / args.batchSize;
        int perEpoch = Math.min(args.maxStepsPerEpoch, batches);
        int expected = args.epochs * perEpoch;
        int steps = s.steps();
        String plan = args.epochs + " epochs x " + perEpoch + " steps (args.maxStepsPerEpoch)";
        if (steps == expected) {
            report.pass("ran " + steps + " training steps: " + plan);
        } else if (steps == 0) {
            report.fail("train() did no training step (trainer.step is 0). Hint: call trainingStep(batch) for each"
                    + " batch of each epoch");
        } else if (steps == args.epochs * (perEpoch + 1)) {
            report.fail("ran " + steps + " steps, expected " + expected + " = " + plan + ": one step too many per"
                    + " epoch. Hint: stop after args.maxStepsPerEpoch steps; epochBatches(epoch) yields exactly those");
        } else if (steps == args.epochs * batches) {
            report.fail("ran " + steps + " steps, expected " + expected + " = " + plan + ": every epoch ran to the end"
                    + " of the data. Hint: stop each epoch after args.maxStepsPerEpoch steps (epochBatches(epoch))");
        } else {
            report.fail("ran " + steps + " steps, expected " + expected + " = " + plan + ". Hint: for each of"
                    + " args.epochs epochs, one trainingStep per batch of epochBatches(epoch)");
        }
        report.check(s.evaluations() == args.epochs, "evaluated once per epoch (" + s.evaluations()
                + " accuracies logged)", "evaluate() ran " + s.evaluations() + " times in " + args.epochs
                        + " epochs. Hint: call evaluate() once at the end of each epoch");
        report.check(s.started(), "started the tracked run (startRun(), the tutorial's wandb.init)",
                "the run was never started. Hint: call startRun() first (the tutorial's wandb.init)");
        report.check(s.finished(), "finished the tracked run (tracker.finish(), the tutorial's wandb.finish())",
                "the run was not finished. Hint: call tracker.finish() at the end (the tutorial's wandb.finish())");
        boolean fell = s.heldOutBefore() != null && s.heldOutAfter() != null && s.heldOutAfter() < s.heldOutBefore();
        report.check(fell, String.format(Locale.ROOT, "the held-out loss fell: %.3f -> %.3f", s.heldOutBefore(),
                s.heldOutAfter()), "the held-out loss did not fall (" + s.heldOutBefore() + " -> " + s.heldOutAfter()
                        + "). Hint: train() should call trainingStep, which updates the model");
        return report;
    }
}
