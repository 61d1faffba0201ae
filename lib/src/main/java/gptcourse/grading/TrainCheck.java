package gptcourse.grading;

import java.nio.file.Files;
import java.util.Locale;

import gptcourse.train.TransformerTrainerBase;
import gptcourse.train.TransformerTrainingArgs;

/**
 * Checks {@code train}: a short run (two epochs of two steps) must take exactly that many
 * steps, evaluate once per epoch, start and finish the tracked run, and lower the loss. Its own
 * output (progress bar, chart, samples) is not shown.
 */
final class TrainCheck {

    private TrainCheck() {
    }

    static CheckReport run(TinySetup setup, TransformerTrainerBase student) {
        CheckReport report = new CheckReport("train");
        TransformerTrainingArgs args = student.args;
        int batches = student.trainLoader.size();
        int perEpoch = Math.min(args.maxStepsPerEpoch, batches);
        int expected = args.epochs * perEpoch;
        double before = TinySetup.heldOutLoss(student.model);

        StudentCode.Call<Boolean> call = StudentCode.callQuietly("train", () -> {
            student.train();
            return Boolean.TRUE;
        });
        if (call.failed()) {
            return report.fail(call.problem());
        }
        int steps = student.step;
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

        int evaluations = student.tracker.values("accuracy").size();
        report.check(evaluations == args.epochs, "evaluated once per epoch (" + evaluations + " accuracies logged)",
                "evaluate() ran " + evaluations + " times in " + args.epochs + " epochs. Hint: call evaluate() once at"
                        + " the end of each epoch");
        boolean started = student.tracker.dir() != null;
        report.check(started, "started the tracked run (startRun(), the tutorial's wandb.init)",
                "the run was never started. Hint: call startRun() first (the tutorial's wandb.init)");
        report.check(started && Files.exists(student.tracker.dir().resolve("summary.json")),
                "finished the tracked run (tracker.finish(), the tutorial's wandb.finish())",
                "the run was not finished. Hint: call tracker.finish() at the end (the tutorial's wandb.finish())");
        double after = TinySetup.heldOutLoss(student.model);
        report.check(after < before, String.format(Locale.ROOT, "the held-out loss fell: %.3f -> %.3f", before, after),
                String.format(Locale.ROOT, "the held-out loss did not fall (%.3f -> %.3f). Hint: train() should call"
                        + " trainingStep, which updates the model", before, after));
        return report;
    }
}
