package gptcourse.grading;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import gptcourse.autograd.GradMode;
import gptcourse.autograd.Tensor;
import gptcourse.data.Batch;
import gptcourse.train.TransformerTrainer;
import gptcourse.train.TransformerTrainerBase;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Checks {@code evaluate}: after a few reference training steps (so that some predictions are
 * right), the student's accuracy over the test rows must equal the reference's; a value that
 * matches a common mistake (every position counted, no shift, per-batch averages) gets that
 * mistake named. Also: the accuracy is logged, and the model is left as it was.
 */
final class EvaluateCheck {
    /** Reference steps before evaluating: enough for the tiny model to get some next tokens right. */
    static final int WARM_UP_STEPS = 10;

    private EvaluateCheck() {
    }

    static CheckReport run(TinySetup setup, TransformerTrainerBase student) {
        CheckReport report = new CheckReport("evaluate");
        TransformerTrainer reference = setup.reference(student.model);
        for (int i = 0; i < WARM_UP_STEPS; i++) {
            reference.trainingStep(setup.trainBatch(i));
        }
        Map<String, INDArray> weights = copy(student.model.stateDict());
        Map<String, Double> mistakes = mistakes(student);
        double expected = reference.evaluate();

        StudentCode.Call<Double> call = StudentCode.call("evaluate", student::evaluate);
        if (call.failed()) {
            return report.fail(call.problem());
        }
        double accuracy = call.value() == null ? Double.NaN : call.value();
        if (close(accuracy, expected)) {
            report.pass(String.format(Locale.ROOT, "returns the accuracy %.4f, as the reference solution does", accuracy));
        } else if (!(accuracy >= 0 && accuracy <= 1)) {
            report.fail(String.format(Locale.ROOT, "returned %s, which is not a fraction (the reference: %.4f). Hint:"
                    + " divide the number of right predictions by the number of predictions", accuracy, expected));
        } else {
            String mistake = mistakes.entrySet().stream().filter(e -> close(accuracy, e.getValue()))
                    .map(Map.Entry::getKey).findFirst().orElse(null);
            report.fail(String.format(Locale.ROOT, "returned %.4f, the reference %.4f. Hint: %s", accuracy, expected,
                    mistake != null ? mistake : "count the positions where argmax of logits[:, :-1] equals tokens[:, 1:]"
                            + " over every test batch, and divide by the number of those predictions"));
        }

        List<Double> logged = student.tracker.values("accuracy");
        report.check(!logged.isEmpty() && close(logged.get(logged.size() - 1), accuracy),
                "logs \"accuracy\"", logged.isEmpty()
                        ? "nothing was logged as \"accuracy\". Hint: tracker.log(Map.of(\"accuracy\", accuracy), step)"
                        : "the last logged \"accuracy\" is " + logged.get(logged.size() - 1) + ", not the returned "
                                + accuracy);
        report.check(same(weights, student.model.stateDict()), "leaves the model's parameters as they were",
                "evaluate changed the model's parameters: it should only measure (no backward, no optimizer.step())");
        return report;
    }

    /**
     * What common mistakes would return, keyed by the hint that names them: every position in the
     * denominator, no shift between predictions and targets, the mean of per-batch accuracies.
     */
    @SuppressWarnings("try")
    private static Map<String, Double> mistakes(TransformerTrainerBase trainer) {
        long right = 0;
        long unshifted = 0;
        long positions = 0;
        List<Double> perBatch = new ArrayList<>();
        try (var mode = GradMode.inferenceMode()) {
            for (Batch batch : trainer.testLoader) {
                INDArray tokens = batch.get("tokens");
                long seq = tokens.size(1);
                try (Tensor logits = trainer.model.forward(tokens)) {
                    INDArray predicted = logits.data().argMax(2);
                    INDArray shiftedPrediction = predicted.get(NDArrayIndex.all(), NDArrayIndex.interval(0, seq - 1));
                    INDArray targets = tokens.get(NDArrayIndex.all(), NDArrayIndex.interval(1, seq));
                    long r = count(shiftedPrediction, targets);
                    right += r;
                    unshifted += count(predicted, tokens);
                    positions += tokens.size(0) * seq;
                    perBatch.add((double) r / (tokens.size(0) * (seq - 1)));
                }
            }
        }
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("the last position has no next token to predict, so a batch holds batch x (seq - 1) predictions,"
                + " not batch x seq", (double) right / positions);
        m.put("compare the prediction at position i with the token at i + 1: argmax of logits[:, :-1] against"
                + " tokens[:, 1:]", (double) unshifted / positions);
        m.put("the last test batch is smaller, so the mean of per-batch accuracies is not the accuracy: add up the"
                + " right predictions and the predictions over all batches, then divide once",
                perBatch.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN));
        m.put("count every test batch, not only the first", perBatch.isEmpty() ? Double.NaN : perBatch.get(0));
        return m;
    }

    private static long count(INDArray predicted, INDArray targets) {
        return predicted.eq(targets.castTo(predicted.dataType())).castTo(DataType.INT64).sumNumber().longValue();
    }

    private static Map<String, INDArray> copy(Map<String, INDArray> state) {
        Map<String, INDArray> out = new LinkedHashMap<>();
        state.forEach((k, v) -> out.put(k, v.dup()));
        return out;
    }

    private static boolean same(Map<String, INDArray> a, Map<String, INDArray> b) {
        return a.keySet().equals(b.keySet()) && a.keySet().stream().allMatch(k -> a.get(k).equals(b.get(k)));
    }

    private static boolean close(double a, double b) {
        return Math.abs(a - b) <= 1e-6; // a float division is fine; one prediction in 150 is 7e-3
    }
}
