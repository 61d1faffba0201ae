package gptcourse.grading;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import gptcourse.autograd.GradMode;
import gptcourse.autograd.Tensor;
import gptcourse.data.Batch;
import gptcourse.model.DemoTransformer;
import gptcourse.train.TransformerTrainerBase;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Checks {@code evaluate} on a model trained to follow a cycle of tokens, over test rows of which
 * some follow the cycle and some are random words ({@link TinySetup#evaluateSplit()}): the
 * accuracy must equal the reference's, and each common mistake (no shift, every position counted,
 * per-batch averages, the first batch only) gives a clearly different number, which is named.
 * Also: the accuracy is logged, the parameters are left as they were, and no forward pass built a
 * graph for backward (inference mode).
 */
final class EvaluateCheck {
    /** The sub-checks, in the order {@link #judge} reports them; each is worth an equal share. */
    static final List<String> PARTS = List.of("accuracy", "logging", "parameters", "inference-mode");

    /**
     * What one trainer's {@code evaluate()} did: the accuracy returned (null if not a finite
     * number), the values logged as {@code accuracy}, whether the parameters changed, and the
     * forward passes it made, with and without a graph.
     */
    record Observation(ClassFacts facts, String problem, Double accuracy, List<Double> loggedAccuracy,
            boolean parametersUnchanged, int forwardPasses, int forwardPassesWithGraph) {
    }

    private EvaluateCheck() {
    }

    /** {@code trainer} must have been made on {@link TinySetup#evaluateModel()} and the evaluate split. */
    static Observation observe(TransformerTrainerBase trainer) {
        ClassFacts facts = ClassFacts.of(trainer.getClass());
        ObservedTransformer model = (ObservedTransformer) trainer.model;
        Map<String, INDArray> weights = copy(model.stateDict());
        model.resetCounts();
        StudentCode.Call<Double> call = StudentCode.call("evaluate", trainer::evaluate);
        List<Double> logged = new ArrayList<>();
        for (double v : trainer.tracker.values("accuracy")) {
            if (logged.size() < 100) {
                logged.add(TrainingStepCheck.finite(v));
            }
        }
        Double accuracy = call.failed() || call.value() == null ? null : TrainingStepCheck.finite(call.value());
        return new Observation(facts, call.problem(), accuracy, logged, same(weights, model.stateDict()),
                model.forwards(), model.withGraph());
    }

    static CheckReport judge(Observation s, Observation ref, Map<String, Double> mistakes) {
        CheckReport report = new CheckReport("evaluate");
        String notOwn = s.facts().notTheirOwn("evaluate");
        if (notOwn != null) {
            return report.failAll(PARTS.size(), notOwn);
        }
        if (s.problem() != null) {
            return report.fail(s.problem()).failAll(PARTS.size() - 1, "not checked: evaluate failed");
        }
        double expected = ref.accuracy();
        Double accuracy = s.accuracy();
        if (close(accuracy, expected)) {
            report.pass(String.format(Locale.ROOT, "returns the accuracy %.4f, as the reference solution does", accuracy));
        } else if (accuracy == null || !(accuracy >= 0 && accuracy <= 1)) {
            report.fail(String.format(Locale.ROOT, "returned %s, which is not a fraction (the reference: %.4f). Hint:"
                    + " divide the number of right predictions by the number of predictions",
                    accuracy == null ? "not a number" : accuracy.toString(), expected));
        } else {
            String mistake = mistakes.entrySet().stream().filter(e -> close(accuracy, e.getValue()))
                    .map(Map.Entry::getKey).findFirst().orElse(null);
            report.fail(String.format(Locale.ROOT, "returned %.4f, the reference %.4f. Hint: %s", accuracy, expected,
                    mistake != null ? mistake : "count the positions where argmax of logits[:, :-1] equals tokens[:, 1:]"
                            + " over every test batch, and divide by the number of those predictions"));
        }
        List<Double> logged = s.loggedAccuracy();
        report.check(!logged.isEmpty() && accuracy != null && close(logged.get(logged.size() - 1), accuracy),
                "logs \"accuracy\"", logged.isEmpty()
                        ? "nothing was logged as \"accuracy\". Hint: tracker.log(Map.of(\"accuracy\", accuracy), step)"
                        : "the last logged \"accuracy\" is " + logged.get(logged.size() - 1) + ", not the returned "
                                + accuracy);
        report.check(s.parametersUnchanged(), "leaves the model's parameters as they were",
                "evaluate changed the model's parameters: it should only measure (no backward, no optimizer.step())");
        if (s.forwardPasses() == 0) {
            report.fail("evaluate never ran the model (no forward pass). Hint: logits = model.forward(tokens) for each"
                    + " test batch");
        } else {
            report.check(s.forwardPassesWithGraph() == 0, "runs the model with gradients off (inference mode)",
                    s.forwardPassesWithGraph() + " of " + s.forwardPasses() + " forward passes built a graph for"
                            + " backward: gradients were on, which keeps every activation in memory (about 7x the"
                            + " memory on the course's model). Hint: wrap the loop in try (var mode ="
                            + " GradMode.inferenceMode()) { ... }, the tutorial's torch.inference_mode()");
        }
        return report;
    }

    /**
     * What common mistakes would return on {@code model}, keyed by the hint that names them: every
     * position in the denominator, no shift between predictions and targets, the mean of per-batch
     * accuracies, the first batch only. Computed where the reference runs.
     */
    @SuppressWarnings("try")
    static Map<String, Double> mistakes(DemoTransformer model, Iterable<Batch> testBatches) {
        long right = 0;
        long unshifted = 0;
        long unshiftedAll = 0;
        long positions = 0;
        long predictions = 0;
        List<Double> perBatch = new ArrayList<>();
        try (var mode = GradMode.inferenceMode()) {
            for (Batch batch : testBatches) {
                INDArray tokens = batch.get("tokens");
                long seq = tokens.size(1);
                try (Tensor logits = model.forward(tokens)) {
                    INDArray predicted = logits.data().argMax(2);
                    INDArray shiftedPrediction = predicted.get(NDArrayIndex.all(), NDArrayIndex.interval(0, seq - 1));
                    INDArray targets = tokens.get(NDArrayIndex.all(), NDArrayIndex.interval(1, seq));
                    long r = count(shiftedPrediction, targets);
                    right += r;
                    unshifted += count(shiftedPrediction, tokens.get(NDArrayIndex.all(),
                            NDArrayIndex.interval(0, seq - 1)));
                    unshiftedAll += count(predicted, tokens);
                    positions += tokens.size(0) * seq;
                    predictions += tokens.size(0) * (seq - 1);
                    perBatch.add((double) r / (tokens.size(0) * (seq - 1)));
                }
            }
        }
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("compare the prediction at position i with the token at i + 1: argmax of logits[:, :-1] against"
                + " tokens[:, 1:]", (double) unshifted / predictions);
        m.put("compare the prediction at position i with the token at i + 1 (not at i): argmax of logits[:, :-1]"
                + " against tokens[:, 1:]", (double) unshiftedAll / positions);
        m.put("the last position has no next token to predict, so a batch holds batch x (seq - 1) predictions,"
                + " not batch x seq", (double) right / positions);
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

    private static boolean close(Double a, double b) {
        return a != null && Math.abs(a - b) <= 1e-6; // a float division is fine; one prediction in 150 is 7e-3
    }
}
