package gptcourse.grading;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;
import java.util.WeakHashMap;

import gptcourse.data.TrainTestSplit;
import gptcourse.model.DemoTransformer;
import gptcourse.train.TransformerTrainer;
import gptcourse.train.TransformerTrainerBase;

/**
 * Self-checks for the training-loop exercise. Each runs your method on a tiny model and tiny data
 * next to the reference solution ({@link gptcourse.train.TransformerTrainer}), starting from the
 * same weights, and prints one line per thing checked: ✔, or ✘ with what was wrong and a hint.
 *
 * <pre>{@code
 * Checks.trainingStep(MyTrainer::new);   // loss (sign, sum vs mean), the AdamW update, zeroed gradients, step, logging
 * Checks.evaluate(MyTrainer::new);       // the accuracy, equal to the reference's; logged; model untouched; no graph
 * }</pre>
 *
 * <p>The autograder's hidden tests call {@link #require}. Under the grader (which sets {@value
 * GradingChannel#ENV}) it only records what your trainer did, as data, and the grader judges that
 * against the reference solution run in its own JVM ({@link GradingServer}, docs/grading.md);
 * elsewhere it throws {@link CheckFailed} listing every failed sub-check.
 */
public final class Checks {

    /** The checkable methods, by their names in the exercise. */
    enum Method {
        TRAINING_STEP("trainingStep", TrainingStepCheck.PARTS.size()),
        EVALUATE("evaluate", EvaluateCheck.PARTS.size()),
        TRAIN("train", TrainCheck.PARTS.size());

        final String label;
        final int parts;

        Method(String label, int parts) {
            this.label = label;
            this.parts = parts;
        }

        static Method of(String label) {
            return Arrays.stream(values()).filter(m -> m.label.equals(label)).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("there is no check of \"" + label + "\": the checks"
                            + " are " + Arrays.stream(values()).map(m -> "\"" + m.label + "\"").toList()));
        }
    }

    /** The last report of each check, per trainer class (a redefined class in the notebook is a new one). */
    private static final Map<Method, Map<Class<?>, CheckReport>> LAST = new EnumMap<>(Method.class);

    private Checks() {
    }

    /** Checks {@code trainingStep} and prints the results. */
    public static CheckReport trainingStep(TrainerFactory yourTrainer) {
        return showOrSkip(Method.TRAINING_STEP, yourTrainer);
    }

    /** Checks {@code evaluate} and prints the results. */
    public static CheckReport evaluate(TrainerFactory yourTrainer) {
        return showOrSkip(Method.EVALUATE, yourTrainer);
    }

    /** Checks {@code train} and prints the results. */
    public static CheckReport train(TrainerFactory yourTrainer) {
        return showOrSkip(Method.TRAIN, yourTrainer);
    }

    /**
     * For graded cells. Under the autograder: records what {@code method} of your trainer does for
     * the grader to judge, prints nothing and throws nothing. Elsewhere: throws {@link CheckFailed}
     * (every failed sub-check) unless the check passes, reusing the report of a self-check just run
     * on the same trainer class.
     *
     * @param method {@code "trainingStep"}, {@code "evaluate"} or {@code "train"}
     */
    public static void require(String method, TrainerFactory yourTrainer) {
        Method m = Method.of(method);
        Path channel = GradingChannel.folder();
        if (channel != null) {
            record(m, yourTrainer, channel);
            return;
        }
        selfCheck(m, yourTrainer, true).require();
    }

    private static synchronized void record(Method method, TrainerFactory factory, Path channel) {
        try (TinySetup setup = TinySetup.open()) {
            Made made = make(method, setup, factory);
            if (made.problem != null) {
                GradingChannel.write(channel, method.label, made.problem, null);
                return;
            }
            GradingChannel.write(channel, method.label, null, observe(method, setup, made.trainer));
        }
    }

    private static synchronized CheckReport selfCheck(Method method, TrainerFactory factory, boolean reuse) {
        try (TinySetup setup = TinySetup.open()) {
            Made made = make(method, setup, factory);
            if (made.problem != null) {
                return new CheckReport(method.label).fail(made.problem).failAll(method.parts - 1,
                        "not checked: the trainer could not be made");
            }
            Map<Class<?>, CheckReport> last = LAST.get(method);
            if (reuse && last != null && last.containsKey(made.trainer.getClass())) {
                return last.get(made.trainer.getClass());
            }
            Object student = observe(method, setup, made.trainer);
            Object reference = observe(method, setup, setup.track(reference(method, setup)));
            CheckReport report = judge(method, student, reference, method == Method.EVALUATE
                    ? EvaluateCheck.mistakes(setup.evaluateModel(), setup.reference(setup.evaluateModel(),
                            TinySetup.evaluateSplit()).testLoader) : null);
            LAST.computeIfAbsent(method, m -> new WeakHashMap<>()).put(made.trainer.getClass(), report);
            return report;
        }
    }

    /** A trainer made by the student's constructor, or the problem that stopped it. */
    private record Made(TransformerTrainerBase trainer, String problem) {
    }

    private static Made make(Method method, TinySetup setup, TrainerFactory factory) {
        if (factory == null) {
            throw new IllegalArgumentException("pass your trainer's constructor, e.g. Checks." + method.label
                    + "(MyTrainer::new); got null");
        }
        DemoTransformer model = method == Method.EVALUATE ? setup.evaluateModel() : setup.model();
        TrainTestSplit data = method == Method.EVALUATE ? TinySetup.evaluateSplit() : TinySetup.split();
        StudentCode.Call<TransformerTrainerBase> made = StudentCode.call("your trainer's constructor",
                () -> factory.create(TinySetup.args(), model, data));
        if (made.failed() || made.value() == null) {
            return new Made(null, made.failed() ? made.problem() : "the constructor gave null. Hint: pass MyTrainer::new");
        }
        if (made.value().model != model) {
            return new Made(null, "the trainer does not train the model it was given (trainer.model is another one)."
                    + " Hint: pass the constructor's model to super(args, model, datasetDict)");
        }
        return new Made(setup.track(made.value()), null);
    }

    /** The reference solution, made as {@link #make} makes the student's trainer. */
    static TransformerTrainer reference(Method method, TinySetup setup) {
        return method == Method.EVALUATE ? setup.reference(setup.evaluateModel(), TinySetup.evaluateSplit())
                : setup.reference(setup.model());
    }

    static Object observe(Method method, TinySetup setup, TransformerTrainerBase trainer) {
        return switch (method) {
            case TRAINING_STEP -> TrainingStepCheck.observe(setup, trainer);
            case EVALUATE -> EvaluateCheck.observe(trainer);
            case TRAIN -> TrainCheck.observe(trainer);
        };
    }

    static CheckReport judge(Method method, Object student, Object reference, Map<String, Double> mistakes) {
        return switch (method) {
            case TRAINING_STEP -> TrainingStepCheck.judge((TrainingStepCheck.Observation) student,
                    (TrainingStepCheck.Observation) reference);
            case EVALUATE -> EvaluateCheck.judge((EvaluateCheck.Observation) student,
                    (EvaluateCheck.Observation) reference, mistakes);
            case TRAIN -> TrainCheck.judge((TrainCheck.Observation) student);
        };
    }

    /**
     * Under the autograder the self-check does not run (the hidden test on the next line records what
     * your trainer does, and the grader judges it outside the notebook): it says so and returns an
     * empty report.
     */
    private static CheckReport showOrSkip(Method method, TrainerFactory factory) {
        if (GradingChannel.folder() != null) {
            System.out.println("Checking " + method.label + ": skipped under the autograder, which runs the check"
                    + " itself and judges it outside the notebook.");
            return new CheckReport(method.label);
        }
        return show(selfCheck(method, factory, false));
    }

    private static CheckReport show(CheckReport report) {
        System.out.println("Checking " + report.name() + " on a tiny model, next to the reference solution:");
        report.lines().forEach(line -> System.out.println("  " + line));
        System.out.flush();
        return report;
    }
}
