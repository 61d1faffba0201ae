package gptcourse.grading;

import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.function.BiFunction;

import gptcourse.train.TransformerTrainerBase;

/**
 * Self-checks for the training-loop exercise. Each runs your method on a tiny model and tiny data
 * next to the reference solution ({@link gptcourse.train.TransformerTrainer}), starting from the
 * same weights, and prints one line per thing checked: ✔, or ✘ with what was wrong and a hint.
 *
 * <pre>{@code
 * Checks.trainingStep(MyTrainer::new);   // loss and its sign, the AdamW update, zeroed gradients, step, logging
 * Checks.evaluate(MyTrainer::new);       // the accuracy, equal to the reference's; logged; model untouched
 * Checks.train(MyTrainer::new);          // steps per epoch, one evaluation per epoch, run started and finished
 * }</pre>
 *
 * The autograder's hidden tests call {@link #require}, which reuses the result of the self-check
 * just run on the same class and throws {@link CheckFailed} if anything failed. The checks run in
 * the notebook's JVM: they catch mistakes, they are not a sandbox.
 */
public final class Checks {

    /** The checkable methods, by their names in the exercise. */
    enum Method {
        TRAINING_STEP("trainingStep", TrainingStepCheck::run),
        EVALUATE("evaluate", EvaluateCheck::run),
        TRAIN("train", TrainCheck::run);

        final String label;
        final BiFunction<TinySetup, TransformerTrainerBase, CheckReport> check;

        Method(String label, BiFunction<TinySetup, TransformerTrainerBase, CheckReport> check) {
            this.label = label;
            this.check = check;
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
        return show(run(Method.TRAINING_STEP, yourTrainer, false));
    }

    /** Checks {@code evaluate} and prints the results. */
    public static CheckReport evaluate(TrainerFactory yourTrainer) {
        return show(run(Method.EVALUATE, yourTrainer, false));
    }

    /** Checks {@code train} and prints the results. */
    public static CheckReport train(TrainerFactory yourTrainer) {
        return show(run(Method.TRAIN, yourTrainer, false));
    }

    /**
     * For graded cells: throws {@link CheckFailed} (one line: the first problem) unless the check of
     * {@code method} passes. Prints nothing; reuses the report of a self-check just run on the
     * same trainer class.
     *
     * @param method {@code "trainingStep"}, {@code "evaluate"} or {@code "train"}
     */
    public static void require(String method, TrainerFactory yourTrainer) {
        run(Method.of(method), yourTrainer, true).require();
    }

    private static synchronized CheckReport run(Method method, TrainerFactory factory, boolean reuse) {
        if (factory == null) {
            throw new IllegalArgumentException("pass your trainer's constructor, e.g. Checks." + method.label
                    + "(MyTrainer::new); got null");
        }
        try (TinySetup setup = TinySetup.open()) {
            StudentCode.Call<TransformerTrainerBase> made = StudentCode.call("your trainer's constructor",
                    () -> factory.create(TinySetup.args(), setup.model(), TinySetup.split()));
            if (made.failed() || made.value() == null) {
                return new CheckReport(method.label).fail(made.failed() ? made.problem()
                        : "the constructor gave null. Hint: pass MyTrainer::new");
            }
            TransformerTrainerBase student = setup.track(made.value());
            Map<Class<?>, CheckReport> last = LAST.computeIfAbsent(method, m -> new WeakHashMap<>());
            CheckReport cached = last.get(student.getClass());
            if (reuse && cached != null) {
                return cached;
            }
            CheckReport report = method.check.apply(setup, student);
            last.put(student.getClass(), report);
            return report;
        }
    }

    private static CheckReport show(CheckReport report) {
        System.out.println("Checking " + report.name() + " on a tiny model, next to the reference solution:");
        report.lines().forEach(line -> System.out.println("  " + line));
        System.out.flush();
        return report;
    }
}
